"""Why a request is refused, in the words a refusal carries: code, rule and reasons.

The reasons reach the sender in the problem+json `detail` and the privacy officer in
the audit log, so each check's sentence is specified here, with the boundaries of the
age, consent, requester and threshold rules.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policies.catalog import Catalog, load_catalog
from policies.engine import evaluate
from policies.explain import explain
from policies.model import Decision, Request
from tests.policies.policy_cases import BOTH, MELDCODE_STEPS, OVERSTAP, VERZUIM, make_request

DENIALS: dict[str, tuple[Request, str, str, tuple[str, ...]]] = {
    "age_unknown_on_the_verwijsindex": (
        make_request(
            "school_vo",
            "verwijsindex",
            "verwijsindex.signaal",
            {"leerling", "signaal"},
            action="send",
            pre=["informed"],
        ),
        "out_of_scope",
        "verwijsindex.signaal/deny/age",
        ("The pupil's age is unknown; this flow is for youths aged 0 to 22 (Jeugdwet §7.1) only.",),
    ),
    "age_negative_on_the_verwijsindex": (
        make_request(
            "school_vo",
            "verwijsindex",
            "verwijsindex.signaal",
            {"leerling", "signaal"},
            age=-1,
            action="send",
            pre=["informed"],
        ),
        "out_of_scope",
        "verwijsindex.signaal/deny/age",
        ("The pupil's age is unknown; this flow is for youths aged 0 to 22 (Jeugdwet §7.1) only.",),
    ),
    "unknown_category": (
        make_request(
            "school_po",
            "school_vo",
            "overdracht.po_vo",
            OVERSTAP | {"bsn"},
            action="send",
            age=12,
            pre=BOTH,
        ),
        "category_forbidden",
        "overdracht.po_vo/deny/category_unknown",
        ("Unknown categories: bsn.",),
    ),
    "forbidden_and_unlisted_on_send": (
        make_request(
            "school_po",
            "school_vo",
            "overdracht.po_vo",
            OVERSTAP | {"vve", "gezinsplan"},
            action="send",
            age=12,
            pre=BOTH,
        ),
        "category_forbidden",
        "overdracht.po_vo/deny/category_forbidden",
        ("Categories forbidden (VERBODEN): vve; not allowed on this flow: gezinsplan.",),
    ),
    "only_unlisted_on_send": (
        make_request(
            "school_po",
            "school_vo",
            "overdracht.po_vo",
            OVERSTAP | {"gezinsplan"},
            action="send",
            age=12,
            pre=BOTH,
        ),
        "category_forbidden",
        "overdracht.po_vo/deny/category_forbidden",
        ("Categories not allowed on this flow: gezinsplan.",),
    ),
    "nothing_allowed_on_release": (
        make_request("school_po", "school_vo", "overdracht.po_vo", {"vve", "gezinsplan"}, pre=BOTH),
        "category_forbidden",
        "overdracht.po_vo/deny/category_forbidden",
        ("None of the requested categories may go to this recipient.",),
    ),
    "two_preconditions_missing": (
        make_request("school_po", "school_vo", "overdracht.po_vo", OVERSTAP),
        "no_enrolment",
        "overdracht.po_vo/deny/aanmelding",
        ("Preconditions not met for release: aanmelding, inzage.",),
    ),
    "consent_none": (
        make_request(
            "school_po", "wijkteam", "knooppunt.casus", {"leerling"}, age=10, pre=["participant"]
        ),
        "consent_missing",
        "knooppunt.casus/deny/consent",
        ("Consent insufficient: no consent is recorded for this purpose.",),
    ),
    "consent_age_unknown": (
        make_request(
            "school_po",
            "wijkteam",
            "knooppunt.casus",
            {"leerling"},
            grantors=("parent", "guardian"),
            pre=["participant"],
        ),
        "consent_missing",
        "knooppunt.casus/deny/consent",
        ("Consent insufficient: the pupil's age is unknown, so the age rule cannot be applied.",),
    ),
    "consent_both_parents_and_pupil_missing": (
        make_request(
            "school_po",
            "wijkteam",
            "knooppunt.casus",
            {"leerling"},
            age=13,
            grantors=("teacher",),
            pre=["participant"],
        ),
        "consent_missing",
        "knooppunt.casus/deny/consent",
        (
            "Consent insufficient: at age 13 consent is needed from both parents with gezag and "
            "the pupil (Jeugdwet art. 7.3.4 and 7.3.5; NVO beroepscode art. 5).",
        ),
    ),
    "consent_one_parent_missing": (
        make_request(
            "school_po",
            "leerplicht",
            "leerplicht.thuiszitter",
            {"leerling", "opp"},
            age=10,
            grantors=("teacher",),
            action="send",
        ),
        "consent_missing",
        "leerplicht.thuiszitter/deny/consent",
        (
            "No consent covers opp: at age 10 consent is needed from a parent with gezag (UAVG "
            "art. 5).",
        ),
    ),
    "consent_pupil_missing_at_16": (
        make_request(
            "school_po",
            "leerplicht",
            "leerplicht.thuiszitter",
            {"leerling", "opp"},
            age=16,
            grantors=("parent",),
            action="send",
        ),
        "consent_missing",
        "leerplicht.thuiszitter/deny/consent",
        ("No consent covers opp: at age 16 consent is needed from the pupil (UAVG art. 5).",),
    ),
    "explicit_consent_missing_on_send": (
        make_request(
            "school_po",
            "leerplicht",
            "leerplicht.thuiszitter",
            {"leerling", "gezondheid"},
            age=10,
            grantors=("parent",),
            action="send",
        ),
        "consent_missing",
        "leerplicht.thuiszitter/deny/consent",
        ("No consent covers gezondheid: the consent must name them explicitly.",),
    ),
    "consent_covers_none_on_release": (
        make_request(
            "school_po",
            "leerplicht",
            "leerplicht.thuiszitter",
            {"opp"},
            age=10,
            grantors=("parent",),
            scope={"leerling"},
        ),
        "consent_missing",
        "leerplicht.thuiszitter/deny/consent",
        ("No consent covers opp.",),
    ),
    "meldcode_steps_missing_reasons_given": (
        make_request(
            "school_po",
            "veilig_thuis",
            "meldcode.melding",
            {"leerling"},
            age=8,
            action="send",
            meldcode_steps={"signalen"},
            reasons=("bruises",),
        ),
        "meldcode_incomplete",
        "meldcode.melding/deny/meldcode_steps",
        (
            "Break-glass needs all five meldcode steps; missing: afweging, besluit, "
            "collegiale_consultatie, gesprek.",
        ),
    ),
    "meldcode_reasons_blank": (
        make_request(
            "school_po",
            "veilig_thuis",
            "meldcode.melding",
            {"leerling"},
            age=8,
            action="send",
            meldcode_steps=MELDCODE_STEPS,
            reasons=(" ",),
        ),
        "reasons_missing",
        "meldcode.melding/deny/reasons",
        ("Break-glass needs the reasons for the report.",),
    ),
    "requester_parent_of_a_17_year_old": (
        make_request(
            "school_vo", "data_subject", "rechten.inzage", {"leerling"}, age=17, requester="parent"
        ),
        "requester_not_entitled",
        "rechten.inzage/deny/requester",
        ("At age 17 the rights are exercised by the pupil (AVG art. 12-17 with UAVG art. 5).",),
    ),
    "requester_pupil_of_10": (
        make_request(
            "school_po", "data_subject", "rechten.inzage", {"leerling"}, age=10, requester="pupil"
        ),
        "requester_not_entitled",
        "rechten.inzage/deny/requester",
        (
            "At age 10 the rights are exercised by a parent with gezag (AVG art. 12-17 with UAVG "
            "art. 5).",
        ),
    ),
    "requester_parent_age_negative": (
        make_request(
            "school_po", "data_subject", "rechten.inzage", {"leerling"}, age=-1, requester="parent"
        ),
        "requester_not_entitled",
        "rechten.inzage/deny/requester",
        ("The requester and the pupil's age must be known to exercise these rights.",),
    ),
    "requester_unknown_person": (
        make_request(
            "school_po", "data_subject", "rechten.inzage", {"leerling"}, age=10, requester="uncle"
        ),
        "requester_not_entitled",
        "rechten.inzage/deny/requester",
        ("The requester and the pupil's age must be known to exercise these rights.",),
    ),
    "below_the_verzuim_threshold": (
        make_request(
            "school_vo",
            "leerplicht",
            "leerplicht.verzuim",
            VERZUIM,
            age=10,
            action="send",
            absence_hours=15.5,
        ),
        "below_threshold",
        "leerplicht.verzuim/deny/threshold",
        ("15.5 hours is below the reporting threshold of 16 hours in 4 school weeks.",),
    ),
    "unknown_action": (
        make_request("school_po", "school_vo", "overdracht.po_vo", OVERSTAP, action="bogus"),
        "flow_not_allowed",
        "overdracht.po_vo/deny/action",
        ("Unknown action 'bogus'.",),
    ),
    "no_exchange_flow_for_the_purpose": (
        make_request("school_po", "school_vo", "audit.toezicht", OVERSTAP),
        "flow_not_allowed",
        "catalog/deny/no_flow",
        ("Purpose audit.toezicht is not an exchange flow.",),
    ),
    "send_on_a_route_the_flow_lacks": (
        make_request("wijkteam", "school_vo", "overdracht.po_vo", OVERSTAP, action="send"),
        "flow_not_allowed",
        "overdracht.po_vo/deny/kinds",
        ("Flow overdracht.po_vo does not carry data from wijkteam to school_vo.",),
    ),
    "two_unknown_kinds": (
        make_request("school_mbo", "hbo", "overdracht.po_vo", OVERSTAP),
        "flow_not_allowed",
        "overdracht.po_vo/deny/unknown_kind",
        ("Unknown organisation kind(s): 'hbo', 'school_mbo'.",),
    ),
    "two_unknown_categories": (
        make_request(
            "school_po",
            "school_vo",
            "overdracht.po_vo",
            OVERSTAP | {"bsn", "iq"},
            action="send",
            age=12,
            pre=BOTH,
        ),
        "category_forbidden",
        "overdracht.po_vo/deny/category_unknown",
        ("Unknown categories: bsn, iq.",),
    ),
    "consent_covers_neither_of_two": (
        make_request(
            "school_po",
            "leerplicht",
            "leerplicht.thuiszitter",
            {"leerling", "opp", "gezondheid"},
            age=10,
            grantors=("teacher",),
            action="send",
        ),
        "consent_missing",
        "leerplicht.thuiszitter/deny/consent",
        (
            "No consent covers gezondheid, opp: at age 10 consent is needed from a parent with "
            "gezag (UAVG art. 5).",
        ),
    ),
    "register_by_a_kind_that_receives_nothing": (
        make_request("", "wijkteam", "overdracht.po_vo", action="register"),
        "flow_not_allowed",
        "overdracht.po_vo/deny/register",
        ("A wijkteam is not a recipient of overdracht.po_vo.",),
    ),
    "register_on_a_flow_without_aanmelding": (
        make_request("", "wijkteam", "knooppunt.casus", action="register"),
        "flow_not_allowed",
        "knooppunt.casus/deny/register",
        ("Flow knooppunt.casus does not use an aanmelding.",),
    ),
    "register_for_no_flow": (
        make_request("", "wijkteam", "nope", action="register"),
        "flow_not_allowed",
        "catalog/deny/unknown_purpose",
        ("The purpose is not an exchange flow.",),
    ),
    "flow_without_this_route": (
        make_request("wijkteam", "school_vo", "overdracht.po_vo", OVERSTAP),
        "flow_not_allowed",
        "overdracht.po_vo/deny/kinds",
        ("Flow overdracht.po_vo does not carry data from wijkteam to school_vo.",),
    ),
}
PERMITS: dict[str, Request] = {
    "verwijsindex_signal_for_a_newborn": make_request(
        "school_vo",
        "verwijsindex",
        "verwijsindex.signaal",
        {"leerling", "signaal"},
        age=0,
        action="send",
        pre=["informed"],
    ),
    "requester_parent_of_a_newborn": make_request(
        "school_po", "data_subject", "rechten.inzage", {"leerling"}, age=0, requester="guardian"
    ),
    "both_parents_for_a_newborn_on_the_knooppunt": make_request(
        "school_po",
        "wijkteam",
        "knooppunt.casus",
        {"leerling"},
        age=0,
        grantors=("parent", "guardian"),
        pre=["participant"],
    ),
    "exactly_at_the_verzuim_threshold": make_request(
        "school_vo",
        "leerplicht",
        "leerplicht.verzuim",
        VERZUIM,
        age=10,
        action="send",
        absence_hours=16.0,
    ),
    "informed_waived_by_a_reason_not_to_tell": make_request(
        "school_vo",
        "verwijsindex",
        "verwijsindex.signaal",
        {"leerling", "signaal"},
        age=12,
        action="send",
        not_told_reason="unsafe",
    ),
}


@pytest.mark.parametrize("name", sorted(DENIALS))
def test_a_refusal_names_its_rule_and_reason(catalog: Catalog, name: str) -> None:
    request, code, rule, reasons = DENIALS[name]
    decision = evaluate(request, catalog)
    assert (decision.effect, decision.code, decision.rule) == ("deny", code, rule)
    assert decision.reasons == reasons
    flow = catalog.flows.get(rule.split("/")[0])
    named = (flow.id, flow.basis_label) if flow is not None else (None, None)
    assert (decision.flow, decision.legal_basis) == named


def test_a_registration_and_a_permit_in_full(catalog: Catalog) -> None:
    po_vo, thuiszitter = catalog.flows["overdracht.po_vo"], catalog.flows["leerplicht.thuiszitter"]
    registered = evaluate(
        make_request("", "school_vo", "overdracht.po_vo", action="register"), catalog
    )
    assert registered == Decision(
        "permit", None, "overdracht.po_vo", po_vo.basis_label, "overdracht.po_vo/register/permit",
        ("A school_vo may register an aanmelding for overdracht.po_vo.",), (), catalog.version,
    )  # fmt: skip
    request = make_request(
        "school_vo", "leerplicht", "leerplicht.thuiszitter", {"leerling", "opp", "duiden_en_doen"},
        age=10, grantors=("parent",), scope={"leerling"},
    )  # fmt: skip
    assert evaluate(request, catalog) == Decision(
        "permit", None, "leerplicht.thuiszitter", thuiszitter.basis_label,
        "leerplicht.thuiszitter/permit",
        (
            f"Flow leerplicht.thuiszitter permits school_vo to leerplicht on "
            f"{thuiszitter.basis_label}.",
            "Withheld from the recipient: duiden_en_doen, opp.",
        ),
        ("no_system_account_for_leerplicht",), catalog.version, frozenset({"leerling"}),
        "verzuim_5y", True,
    )  # fmt: skip


@pytest.mark.parametrize("name", sorted(PERMITS))
def test_on_the_boundary_of_a_rule_the_request_is_permitted(catalog: Catalog, name: str) -> None:
    decision = evaluate(PERMITS[name], catalog)
    assert decision.permitted, decision.reasons


def test_a_flow_the_region_switched_off_is_refused_and_explained(
    catalog_dir: Path, edit_yaml: Callable[[Path, Callable[[dict[str, Any]], None]], None]
) -> None:
    off = {"overdracht.voorschool_po": {"enabled": False}}
    edit_yaml(catalog_dir / "regions/demo.yaml", lambda data: data["flows"].update(off))
    catalog = load_catalog(catalog_dir)
    request = make_request(
        "voorschool", "school_po", "overdracht.voorschool_po", {"leerling"}, age=4,
        grantors=("parent",), action="send",
    )  # fmt: skip
    decision = evaluate(request, catalog)
    assert (decision.code, decision.rule, decision.reasons) == (
        "flow_disabled",
        "overdracht.voorschool_po/deny/disabled",
        ("Region demo has switched this flow off.",),
    )
    assert (
        "2. Regio demo heeft deze stroom aan: NIET VOLDAAN (flow_disabled): de regio heeft deze "
        "stroom of de verwijsindex uitgezet." in explain(request, catalog)
    )


def test_a_region_without_the_verwijsindex_refuses_its_signals(
    catalog_dir: Path, edit_yaml: Callable[[Path, Callable[[dict[str, Any]], None]], None]
) -> None:
    edit_yaml(
        catalog_dir / "regions/demo.yaml", lambda data: data["settings"].update(verwijsindex=False)
    )
    request = make_request(
        "school_vo", "verwijsindex", "verwijsindex.signaal", {"leerling", "signaal"}, age=12,
        action="send", pre=["informed"],
    )  # fmt: skip
    decision = evaluate(request, load_catalog(catalog_dir))
    assert (decision.code, decision.rule, decision.reasons) == (
        "flow_disabled",
        "verwijsindex.signaal/deny/disabled",
        ("Region demo does not use the verwijsindex.",),
    )


def test_registering_for_a_flow_the_region_switched_off_is_refused(
    catalog_dir: Path, edit_yaml: Callable[[Path, Callable[[dict[str, Any]], None]], None]
) -> None:
    off = {"overdracht.po_vo": {"enabled": False}}
    edit_yaml(catalog_dir / "regions/demo.yaml", lambda data: data["flows"].update(off))
    request = make_request("", "school_vo", "overdracht.po_vo", action="register")
    decision = evaluate(request, load_catalog(catalog_dir))
    assert (decision.code, decision.rule, decision.reasons) == (
        "flow_disabled",
        "overdracht.po_vo/deny/disabled",
        ("Region demo has switched this flow off.",),
    )
