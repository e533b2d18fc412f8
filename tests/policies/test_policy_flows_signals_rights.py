"""Flows 12-15 of DOMAIN.md §3 (verwijsindex, meldcode, rights) and unknown input.

Each case is (name, request, expected) where expected is "permit" or the deny code;
`released` and `obligations`, when given, must match exactly / be included.
"""

from __future__ import annotations

from policies.catalog import Catalog
from tests.policies.policy_cases import (
    BOTH,
    MELDCODE_STEPS,
    OVERSTAP,
    Case,
    cases,
    check,
    decide,
    req,
)

SIG = "verwijsindex.signaal"
SIGNAL = {"leerling", "signaal"}


@cases(
    Case(
        "signal after informing",
        req("school_vo", "verwijsindex", SIG, SIGNAL, age=15, pre=["informed"], action="send"),
        "permit",
        SIGNAL,
        {"never_reason_or_content"},
    ),
    Case(
        "not informed because unsafe, reason recorded",
        req(
            "jgz",
            "verwijsindex",
            SIG,
            SIGNAL,
            age=3,
            action="send",
            not_told_reason="Father is violent",
        ),
        "permit",
        None,
        {"record_not_told_reason"},
    ),
    Case(
        "not yet informed: the signal stands, informing is its obligation",
        req("school_vo", "verwijsindex", SIG, SIGNAL, age=15, action="send"),
        "permit",
        SIGNAL,
        {"never_reason_or_content", "inform_youth_or_parents"},
    ),
    Case(
        "a blank not-told reason is no reason",
        req("school_vo", "verwijsindex", SIG, SIGNAL, age=15, action="send", not_told_reason="  "),
        "permit",
        SIGNAL,
        {"inform_youth_or_parents"},
    ),
    Case(
        "22 is in scope",
        req("leerplicht", "verwijsindex", SIG, SIGNAL, age=22, pre=["informed"], action="send"),
        "permit",
    ),
    Case(
        "23 is out of scope",
        req("leerplicht", "verwijsindex", SIG, SIGNAL, age=23, pre=["informed"], action="send"),
        "out_of_scope",
    ),
    Case(
        "age unknown",
        req("leerplicht", "verwijsindex", SIG, SIGNAL, pre=["informed"], action="send"),
        "out_of_scope",
    ),
    Case(
        "never a reason or content",
        req(
            "school_vo",
            "verwijsindex",
            SIG,
            SIGNAL | {"onderwijsondersteuning"},
            age=15,
            pre=["informed"],
            action="send",
        ),
        "category_forbidden",
    ),
    Case(
        "Veilig Thuis does not signal",
        req("veilig_thuis", "verwijsindex", SIG, SIGNAL, age=15, pre=["informed"], action="send"),
        "flow_not_allowed",
    ),
)
def test_verwijsindex_signaal(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


MATCH = "verwijsindex.match"


@cases(
    Case(
        "match: contact only",
        req("verwijsindex", "school_vo", MATCH, {"signaal"}, age=15),
        "permit",
        {"signaal"},
        {"no_content_without_consent", "log_archive_lookup"},
    ),
    Case(
        "match never releases more",
        req("verwijsindex", "wijkteam", MATCH, {"signaal", "leerling"}, age=15),
        "permit",
        {"signaal"},
    ),
    Case(
        "match cannot send content",
        req("verwijsindex", "school_vo", MATCH, {"signaal", "leerling"}, age=15, action="send"),
        "category_forbidden",
    ),
    Case(
        "23 is out of scope",
        req("verwijsindex", "school_vo", MATCH, {"signaal"}, age=23),
        "out_of_scope",
    ),
    Case(
        "the index cannot be searched by a school",
        req("school_vo", "verwijsindex", MATCH, {"signaal"}, age=15),
        "flow_not_allowed",
    ),
)
def test_verwijsindex_match(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


MC = "meldcode.melding"


@cases(
    Case(
        "break-glass with steps and reasons",
        req(
            "school_po",
            "veilig_thuis",
            MC,
            {"leerling", "gezondheid"},
            age=7,
            action="send",
            meldcode_steps=MELDCODE_STEPS,
            reasons=("bruises seen twice",),
        ),
        "permit",
        {"leerling", "gezondheid"},
        {"review_by_privacy_officer", "inform_parents", "record_meldcode_steps"},
    ),
    Case(
        "missing a meldcode step",
        req(
            "school_po",
            "veilig_thuis",
            MC,
            {"leerling"},
            age=7,
            action="send",
            meldcode_steps=MELDCODE_STEPS - {"afweging"},
            reasons=("x",),
        ),
        "meldcode_incomplete",
    ),
    Case(
        "no reasons",
        req(
            "school_po",
            "veilig_thuis",
            MC,
            {"leerling"},
            age=7,
            action="send",
            meldcode_steps=MELDCODE_STEPS,
        ),
        "reasons_missing",
    ),
    Case(
        "blank reasons",
        req(
            "school_po",
            "veilig_thuis",
            MC,
            {"leerling"},
            age=7,
            action="send",
            meldcode_steps=MELDCODE_STEPS,
            reasons=(" ",),
        ),
        "reasons_missing",
    ),
    Case(
        "unknown category",
        req(
            "school_po",
            "veilig_thuis",
            MC,
            {"leerling", "diary"},
            age=7,
            action="send",
            meldcode_steps=MELDCODE_STEPS,
            reasons=("x",),
        ),
        "category_forbidden",
    ),
    Case(
        "only to Veilig Thuis",
        req(
            "school_po",
            "jgz",
            MC,
            {"leerling"},
            age=7,
            action="send",
            meldcode_steps=MELDCODE_STEPS,
            reasons=("x",),
        ),
        "flow_not_allowed",
    ),
)
def test_meldcode_melding(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


def test_meldcode_parents_not_told_when_unsafe_or_already_told(catalog: Catalog) -> None:
    base = dict(action="send", meldcode_steps=MELDCODE_STEPS, reasons=("x",), age=7)
    unsafe = decide(
        catalog, "smw", "veilig_thuis", MC, {"leerling"}, not_told_reason="unsafe", **base
    )
    told = decide(catalog, "smw", "veilig_thuis", MC, {"leerling"}, parents_told=True, **base)
    assert "inform_parents" not in unsafe.obligations
    assert "record_not_told_reason" in unsafe.obligations
    assert "review_by_privacy_officer" in unsafe.obligations
    assert "inform_parents" not in told.obligations


@cases(
    Case(
        "parent of a 10-year-old",
        req(
            "school_po",
            "data_subject",
            "rechten.inzage",
            {"leerling", "toetsresultaten", "gezondheid"},
            age=10,
            requester="parent",
        ),
        "permit",
        {"leerling", "toetsresultaten", "gezondheid"},
        {"redact_third_parties", "answer_within_one_month"},
    ),
    Case(
        "a 10-year-old alone",
        req("school_po", "data_subject", "rechten.inzage", {"leerling"}, age=10, requester="pupil"),
        "requester_not_entitled",
    ),
    Case(
        "pupil of 16",
        req("school_vo", "data_subject", "rechten.inzage", {"leerling"}, age=16, requester="pupil"),
        "permit",
    ),
    Case(
        "parent of a 16-year-old",
        req(
            "school_vo", "data_subject", "rechten.inzage", {"leerling"}, age=16, requester="parent"
        ),
        "requester_not_entitled",
    ),
    Case(
        "no requester",
        req("school_vo", "data_subject", "rechten.inzage", {"leerling"}, age=16),
        "requester_not_entitled",
    ),
    Case(
        "age unknown",
        req("school_vo", "data_subject", "rechten.inzage", {"leerling"}, requester="parent"),
        "requester_not_entitled",
    ),
    Case(
        "correction by a guardian",
        req(
            "jeugdhulp",
            "data_subject",
            "rechten.correctie",
            {"leerling"},
            age=12,
            requester="guardian",
        ),
        "permit",
    ),
    Case(
        "erasure at the verwijsindex",
        req(
            "verwijsindex",
            "data_subject",
            "rechten.verwijdering",
            {"signaal"},
            age=19,
            requester="pupil",
        ),
        "permit",
        None,
        {"check_statutory_retention"},
    ),
    Case(
        "rights go to the data subject only",
        req("school_vo", "school_po", "rechten.inzage", {"leerling"}, age=16, requester="pupil"),
        "flow_not_allowed",
    ),
)
def test_rechten(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


@cases(
    Case(
        "unknown purpose",
        req("school_po", "school_vo", "overdracht.po_mbo", OVERSTAP, pre=BOTH),
        "flow_not_allowed",
    ),
    Case(
        "audit is not an exchange flow",
        req("school_po", "school_vo", "audit.toezicht", OVERSTAP),
        "flow_not_allowed",
    ),
    Case(
        "unknown sender kind",
        req("school_mbo", "school_vo", "overdracht.po_vo", OVERSTAP, pre=BOTH),
        "flow_not_allowed",
    ),
    Case(
        "unknown action",
        req("school_po", "school_vo", "overdracht.po_vo", OVERSTAP, pre=BOTH, action="delete"),
        "flow_not_allowed",
    ),
)
def test_anything_unknown_is_denied(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


def test_meldcode_only_the_conversation_may_be_skipped(catalog: Catalog) -> None:
    """The afwegingskader lets an unsafe conversation go; every other step is the report's."""
    base = dict(action="send", reasons=("acute",), parents_told=True, age=7)
    for step in sorted(MELDCODE_STEPS):
        skipped = decide(
            catalog,
            "school_po",
            "veilig_thuis",
            MC,
            {"leerling"},
            meldcode_steps=MELDCODE_STEPS - {step},
            meldcode_skipped=frozenset({step}),
            **base,
        )
        if step == "gesprek":
            assert skipped.permitted, skipped.reasons
            assert "record_skipped_step_reason" in skipped.obligations
        else:
            assert skipped.code == "meldcode_incomplete", step
            assert "Only gesprek may be skipped" in skipped.reasons[0]
