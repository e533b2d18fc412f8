"""Flows 5-8 of DOMAIN.md §3 (TLV, leerplicht): the permit and every way each denies.

Each case is (name, request, expected) where expected is "permit" or the deny code;
`released` and `obligations`, when given, must match exactly / be included.
"""

from __future__ import annotations

import dataclasses

from policies.catalog import Catalog
from tests.policies.policy_cases import PAO, VERZUIM, Case, cases, check, decide, req

TLV = "tlv.aanvraag"


@cases(
    Case(
        "PO request with health data where necessary",
        req("school_po", "swv_po", TLV, PAO | {"gezondheid", "opp"}, action="send"),
        "permit",
        PAO | {"gezondheid", "opp"},
        {"record_zienswijze", "health_data_restricted"},
    ),
    Case(
        "VO request may carry the eindtoets",
        req("school_vo", "swv_vo", TLV, PAO | {"eindtoetsbo"}, action="send"),
        "permit",
    ),
    Case(
        "POSWV forbids the eindtoets",
        req("school_po", "swv_po", TLV, PAO | {"eindtoetsbo"}, action="send"),
        "category_forbidden",
    ),
    Case(
        "VOSWV forbids vve",
        req("school_vo", "swv_vo", TLV, PAO | {"vve"}, action="send"),
        "category_forbidden",
    ),
    Case(
        "onderwijsondersteuning is mandatory",
        req("school_po", "swv_po", TLV, PAO - {"onderwijsondersteuning"}, action="send"),
        "category_missing",
    ),
    # An arrangement or TLV for the move to (V)SO or PrO: the PO school asks the SWV VO.
    Case(
        "PO school to the VO partnership",
        req("school_po", "swv_vo", TLV, PAO, action="send"),
        "permit",
    ),
    Case(
        "VO school not to the PO partnership",
        req("school_vo", "swv_po", TLV, PAO, action="send"),
        "flow_not_allowed",
    ),
)
def test_tlv_aanvraag(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


def test_tlv_aanvraag_records_zienswijze_only_without_consent_and_never_carries_the_bsn(
    catalog: Catalog,
) -> None:
    with_consent = decide(
        catalog, "school_po", "swv_po", TLV, PAO, action="send", age=9, grantors=("parent",)
    )
    assert "record_zienswijze" not in with_consent.obligations
    assert not with_consent.bsn_allowed


@cases(
    Case(
        "decision to the school",
        req("swv_po", "school_po", "tlv.besluit", {"leerling", "tlv_besluit"}),
        "permit",
        {"leerling", "tlv_besluit"},
        {"objection_route"},
    ),
    Case(
        "VO decision",
        req(
            "swv_vo",
            "school_vso",
            "tlv.besluit",
            {"leerling", "tlv_besluit", "school"},
            action="send",
        ),
        "permit",
    ),
    Case(
        "decision is mandatory",
        req("swv_po", "school_po", "tlv.besluit", {"leerling"}, action="send"),
        "category_missing",
    ),
    Case(
        "no health data to the school",
        req(
            "swv_po",
            "school_po",
            "tlv.besluit",
            {"leerling", "tlv_besluit", "gezondheid"},
            action="send",
        ),
        "category_forbidden",
    ),
    Case(
        "PO partnership to a VO school",
        req("swv_po", "school_vo", "tlv.besluit", {"leerling", "tlv_besluit"}),
        "flow_not_allowed",
    ),
)
def test_tlv_besluit(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


LV = "leerplicht.verzuim"


@cases(
    Case(
        "melding at the threshold",
        req("school_vo", "leerplicht", LV, VERZUIM, absence_hours=16, action="send"),
        "permit",
        VERZUIM,
        {"inform_parents"},
    ),
    Case(
        "ongeoorloofd: hours not stated never reach the threshold",
        req("school_po", "leerplicht", LV, VERZUIM | {"oudersverzorgers"}, action="send"),
        "below_threshold",
    ),
    Case(
        "below the threshold",
        req("school_vo", "leerplicht", LV, VERZUIM, absence_hours=15.5, action="send"),
        "below_threshold",
    ),
    Case(
        "ongeoorloofd below the threshold",
        req(
            "school_vo",
            "leerplicht",
            LV,
            VERZUIM,
            absence_hours=3,
            absence_type="ongeoorloofd",
            action="send",
        ),
        "below_threshold",
    ),
    Case(
        "luxe verzuim is reportable at any number of hours",
        req(
            "school_vo",
            "leerplicht",
            LV,
            VERZUIM,
            absence_hours=3,
            absence_type="luxe",
            action="send",
        ),
        "permit",
        VERZUIM,
        {"inform_parents"},
    ),
    Case(
        "luxe verzuim without hours",
        req("school_po", "leerplicht", LV, VERZUIM, absence_type="luxe", action="send"),
        "permit",
    ),
    Case(
        "an unknown kind is held to the threshold",
        req(
            "school_vo",
            "leerplicht",
            LV,
            VERZUIM,
            absence_hours=3,
            absence_type="vakantie",
            action="send",
        ),
        "below_threshold",
    ),
    Case(
        "a period longer than the region's thuiszitter term: follow up as thuiszitter",
        req(
            "school_vo",
            "leerplicht",
            LV,
            VERZUIM,
            absence_hours=40,
            absence_type="ongeoorloofd",
            absence_days=29,
            action="send",
        ),
        "permit",
        VERZUIM,
        {"inform_parents", "thuiszitter_follow_up"},
    ),
    Case(
        "a period of exactly the thuiszitter term is not yet a thuiszitter",
        req(
            "school_vo",
            "leerplicht",
            LV,
            VERZUIM,
            absence_hours=40,
            absence_type="ongeoorloofd",
            absence_days=28,
            action="send",
        ),
        "permit",
        VERZUIM,
        {"inform_parents"},
    ),
    Case(
        "closed list: no support data",
        req("school_vo", "leerplicht", LV, VERZUIM | {"onderwijsondersteuning"}, action="send"),
        "category_forbidden",
    ),
    Case(
        "the melding itself is mandatory",
        req("school_vo", "leerplicht", LV, {"leerling", "school"}, action="send"),
        "category_missing",
    ),
    Case(
        "leerplicht does not report to schools",
        req("leerplicht", "school_vo", LV, VERZUIM, action="send"),
        "flow_not_allowed",
    ),
)
def test_leerplicht_verzuim(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


TZ = "leerplicht.thuiszitter"


@cases(
    Case(
        "closed list without consent",
        req(
            "school_vo",
            "leerplicht",
            TZ,
            {"leerling", "verzuim", "schoolloopbaan"},
            age=14,
            action="send",
        ),
        "permit",
        None,
        {"no_system_account_for_leerplicht"},
    ),
    Case(
        "leerplicht back to the school",
        req("leerplicht", "school_vo", TZ, {"leerling", "verzuim"}, age=14),
        "permit",
    ),
    Case(
        "care details need consent",
        req("school_vo", "leerplicht", TZ, {"leerling", "opp"}, age=14, action="send"),
        "consent_missing",
    ),
    Case(
        "parents consent under 16",
        req(
            "school_vo",
            "leerplicht",
            TZ,
            {"leerling", "opp"},
            age=14,
            grantors=("parent",),
            action="send",
        ),
        "permit",
        {"leerling", "opp"},
    ),
    Case(
        "from 16 the pupil consents",
        req(
            "school_vo",
            "leerplicht",
            TZ,
            {"leerling", "opp"},
            age=16,
            grantors=("parent",),
            action="send",
        ),
        "consent_missing",
    ),
    Case(
        "release withholds care details without consent",
        req("school_vo", "leerplicht", TZ, {"leerling", "opp"}, age=14),
        "permit",
        {"leerling"},
    ),
    Case(
        "health needs consent naming it",
        req(
            "school_vo",
            "leerplicht",
            TZ,
            {"leerling", "gezondheid"},
            age=14,
            grantors=("parent",),
            action="send",
        ),
        "consent_missing",
    ),
    Case(
        "health named in the consent",
        req(
            "school_vo",
            "leerplicht",
            TZ,
            {"leerling", "gezondheid"},
            age=14,
            grantors=("parent",),
            scope={"leerling", "gezondheid"},
            action="send",
        ),
        "permit",
    ),
    Case(
        "pupil of 16: reason for absence stays with the pupil",
        req("school_vo", "leerplicht", TZ, {"leerling"}, age=16),
        "permit",
        None,
        {"withhold_absence_reason_from_parents"},
    ),
    Case("not to JGZ", req("school_vo", "jgz", TZ, {"leerling"}, age=14), "flow_not_allowed"),
)
def test_leerplicht_thuiszitter(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


def test_thuiszitter_under_16_has_no_absence_reason_obligation(catalog: Catalog) -> None:
    decision = decide(catalog, "school_vo", "leerplicht", TZ, {"leerling"}, age=15)
    assert "withhold_absence_reason_from_parents" not in decision.obligations


def test_the_thuiszitter_term_is_the_region_setting(catalog: Catalog) -> None:
    """`thuiszitter_weeks` decides: five weeks of absence is a thuiszitter at 4, not at 6."""
    five_weeks = dict(absence_hours=60, absence_type="ongeoorloofd", absence_days=35)
    at_four = decide(catalog, "school_vo", "leerplicht", LV, VERZUIM, action="send", **five_weeks)
    six = dataclasses.replace(
        catalog, settings=catalog.settings.model_copy(update={"thuiszitter_weeks": 6})
    )
    at_six = decide(six, "school_vo", "leerplicht", LV, VERZUIM, action="send", **five_weeks)
    assert "thuiszitter_follow_up" in at_four.obligations
    assert at_six.permitted and "thuiszitter_follow_up" not in at_six.obligations
