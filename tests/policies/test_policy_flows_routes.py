"""The routes of DOMAIN.md §3 rows 2, 5, 6, 8, 9, 10, 11 and 17 that the first catalog
missed or got wrong: VO to MBO, the experts' advice for a TLV, the TLV beschikking to
the parents, the SWV at the thuiszitters table, a PO school asking the SWV VO, health
data on explicit consent from the voorschool, and at the knooppunt leerplicht's closed
list on its own task and "both parents" meaning both who hold gezag.

Each case is (name, request, expected) where expected is "permit" or the deny code;
`released` and `obligations`, when given, must match exactly / be included.
"""

from __future__ import annotations

from policies.catalog import Catalog
from policies.engine import evaluate
from policies.model import ConsentState, Preconditions, Request
from tests.policies.policy_cases import BOTH, Case, cases, check, req

MBO = "overdracht.vo_mbo"
# No OSO VO-MBO profile: the VOVO categories, without the schooladvies as a must.
VOMBO = {"school", "leerling", "oudersverzorgers", "schoolloopbaan"}


@cases(
    Case(
        "VO to MBO after the aanmelding, with the results meant for the MBO",
        req("school_vo", "mbo", MBO, VOMBO | {"vombo", "cijferlijsten"}, pre=BOTH, age=16),
        "permit",
        VOMBO | {"vombo", "cijferlijsten"},
        {"record_inzage_date", "attach_zienswijze", "no_selection_at_the_gate"},
    ),
    Case(
        "PrO to MBO",
        req("school_pro", "mbo", MBO, VOMBO, pre=BOTH, age=17, action="send"),
        "permit",
    ),
    Case(
        "no consent is asked (Wet sterk beroepsonderwijs)",
        req("school_vo", "mbo", MBO, VOMBO, pre=BOTH, age=15, action="send"),
        "permit",
    ),
    Case(
        "only after the aanmelding",
        req("school_vo", "mbo", MBO, VOMBO, age=16, action="send"),
        "no_enrolment",
    ),
    Case(
        "released only after inzage",
        req("school_vo", "mbo", MBO, VOMBO, pre=("aanmelding",), age=16),
        "inzage_missing",
    ),
    Case(
        "school career is a must",
        req("school_vo", "mbo", MBO, VOMBO - {"schoolloopbaan"}, pre=BOTH, action="send"),
        "category_missing",
    ),
    Case(
        "no vve, no health data",
        req("school_vo", "mbo", MBO, VOMBO | {"vve", "gezondheid"}, pre=BOTH, action="send"),
        "category_forbidden",
    ),
    Case(
        "not from a PO school",
        req("school_po", "mbo", MBO, VOMBO, pre=BOTH, action="send"),
        "flow_not_allowed",
    ),
    Case(
        "not between MBO schools",
        req("mbo", "mbo", MBO, VOMBO, pre=BOTH, action="send"),
        "flow_not_allowed",
    ),
)
def test_overdracht_vo_mbo(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


ADVIES = "tlv.advies"
ASK = {"leerling", "tlv_aanvraag"}
ANSWER = {"leerling", "deskundigenadvies"}


@cases(
    Case(
        "the SWV asks the jeugdarts, with health data",
        req("swv_po", "jgz", ADVIES, ASK | {"opp", "gezondheid"}, action="send"),
        "permit",
        ASK | {"opp", "gezondheid"},
        {"health_data_restricted", "health_only_jeugdarts_or_gz_psycholoog"},
    ),
    Case(
        "the SWV asks a GZ-psycholoog at a care provider, with health data",
        req("swv_vo", "jeugdhulp", ADVIES, ASK | {"gezondheid"}, action="send"),
        "permit",
    ),
    Case(
        "no consent: the SWV's statutory task",
        req("swv_po", "jeugdhulp", ADVIES, ASK, age=9, action="send"),
        "permit",
    ),
    Case(
        "the advice comes back with the expert's health findings",
        req("jgz", "swv_po", ADVIES, ANSWER | {"gezondheid"}),
        "permit",
        ANSWER | {"gezondheid"},
    ),
    Case(
        "a maatschappelijk werker is asked without health data",
        req("swv_vo", "smw", ADVIES, ASK | {"onderwijsondersteuning"}, action="send"),
        "permit",
    ),
    Case(
        "health data never to school social work",
        req("swv_vo", "smw", ADVIES, ASK | {"gezondheid"}, action="send"),
        "category_forbidden",
    ),
    Case(
        "health data never from school social work",
        req("smw", "swv_vo", ADVIES, ANSWER | {"gezondheid"}, action="send"),
        "category_forbidden",
    ),
    Case(
        "the request is a must",
        req("swv_po", "jgz", ADVIES, {"leerling", "opp"}, action="send"),
        "category_missing",
    ),
    Case(
        "the advice is a must on the way back",
        req("jeugdhulp", "swv_po", ADVIES, {"leerling", "gezondheid"}, action="send"),
        "category_missing",
    ),
    Case(
        "no decision travels to the experts",
        req("swv_po", "jgz", ADVIES, ASK | {"tlv_besluit"}, action="send"),
        "category_forbidden",
    ),
    Case(
        "not to the wijkteam",
        req("swv_po", "wijkteam", ADVIES, ASK, action="send"),
        "flow_not_allowed",
    ),
    Case(
        "not from a school",
        req("school_po", "jgz", ADVIES, ASK, action="send"),
        "flow_not_allowed",
    ),
)
def test_tlv_advies(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


BESLUIT = "tlv.besluit"
DECISION = {"leerling", "tlv_besluit"}


@cases(
    Case(
        "the beschikking to the parents, with its objection route",
        req("swv_po", "data_subject", BESLUIT, DECISION, action="send"),
        "permit",
        DECISION,
        {"objection_route"},
    ),
    Case(
        "from the SWV VO too",
        req("swv_vo", "data_subject", BESLUIT, DECISION),
        "permit",
        DECISION,
    ),
    Case(
        "the decision is a must",
        req("swv_po", "data_subject", BESLUIT, {"leerling"}, action="send"),
        "category_missing",
    ),
    Case(
        "nothing of the advice",
        req("swv_po", "data_subject", BESLUIT, DECISION | {"deskundigenadvies"}, action="send"),
        "category_forbidden",
    ),
    Case(
        "nothing of the request",
        req("swv_vo", "data_subject", BESLUIT, DECISION | {"tlv_aanvraag"}, action="send"),
        "category_forbidden",
    ),
    Case(
        "not the school's details either: the decision and who it is about",
        req("swv_po", "data_subject", BESLUIT, DECISION | {"school"}, action="send"),
        "category_forbidden",
    ),
    Case(
        "held with the school's copy: the parents get the decision only",
        req("swv_po", "data_subject", BESLUIT, DECISION | {"school"}),
        "permit",
        DECISION,
    ),
    Case(
        "a school sends no beschikking",
        req("school_po", "data_subject", BESLUIT, DECISION, action="send"),
        "flow_not_allowed",
    ),
)
def test_tlv_besluit_to_the_parents(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


TZ = "leerplicht.thuiszitter"


@cases(
    Case(
        "the SWV gives leerplicht the closed list without consent",
        req("swv_vo", "leerplicht", TZ, {"leerling", "verzuim", "schoolloopbaan"}, age=14),
        "permit",
        {"leerling", "verzuim", "schoolloopbaan"},
    ),
    Case(
        "leerplicht tells the SWV",
        req("leerplicht", "swv_po", TZ, {"leerling", "verzuim_melding"}, age=10),
        "permit",
    ),
    Case(
        "the SWV and the school on care details, with consent",
        req(
            "swv_po",
            "school_po",
            TZ,
            {"leerling", "opp"},
            age=10,
            grantors=("parent",),
            action="send",
        ),
        "permit",
    ),
    Case(
        "a school tells the SWV",
        req("school_vo", "swv_vo", TZ, {"leerling", "verzuim"}, age=15),
        "permit",
    ),
    Case(
        "care details to leerplicht need consent",
        req("swv_vo", "leerplicht", TZ, {"leerling", "opp"}, age=14, action="send"),
        "consent_missing",
    ),
    Case(
        "health data never from the SWV to leerplicht, consent or not",
        req(
            "swv_vo",
            "leerplicht",
            TZ,
            {"leerling", "gezondheid"},
            age=16,
            grantors=("pupil",),
            scope=("leerling", "gezondheid"),
            action="send",
        ),
        "category_forbidden",
    ),
    Case(
        "health data from the SWV to the pupil's school on explicit consent",
        req(
            "swv_vo",
            "school_vo",
            TZ,
            {"leerling", "gezondheid"},
            age=16,
            grantors=("pupil",),
            scope=("leerling", "gezondheid"),
            action="send",
        ),
        "permit",
    ),
    Case(
        "the SWV's reason for absence stays from the parents of a 16-year-old",
        req("swv_vo", "leerplicht", TZ, {"leerling", "verzuim"}, age=16),
        "permit",
        None,
        {"withhold_absence_reason_from_parents"},
    ),
    Case(
        "not between the two SWVs",
        req("swv_po", "swv_vo", TZ, {"leerling"}, age=12),
        "flow_not_allowed",
    ),
)
def test_the_swv_at_the_thuiszitters_table(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


VS = "overdracht.voorschool_po"


@cases(
    Case(
        "an MKD's health findings on a consent naming them",
        req(
            "voorschool",
            "school_so",
            VS,
            {"leerling", "gezondheid"},
            age=4,
            grantors=("parent",),
            scope=("leerling", "gezondheid"),
            action="send",
        ),
        "permit",
    ),
    Case(
        "not on a consent that does not name them",
        req(
            "voorschool",
            "school_so",
            VS,
            {"leerling", "gezondheid"},
            age=4,
            grantors=("parent",),
            action="send",
        ),
        "consent_missing",
    ),
    Case(
        "withheld on release when the consent does not name them",
        req("voorschool", "school_po", VS, {"leerling", "gezondheid"}, age=4, grantors=("parent",)),
        "permit",
        {"leerling"},
    ),
)
def test_voorschool_health_data_on_explicit_consent(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


KP = "knooppunt.casus"
CLOSED_LIST = {"leerling", "oudersverzorgers", "school", "schoolloopbaan", "verzuim"}
IN_CASE = ("participant",)


@cases(
    Case(
        "leerplicht's closed list at the table without the case consent",
        req("leerplicht", "wijkteam", KP, CLOSED_LIST, age=14, pre=IN_CASE, action="send"),
        "permit",
        CLOSED_LIST,
        {"purpose_bound_minimum"},
    ),
    Case(
        "the verzuimmelding is part of it",
        req("leerplicht", "school_vo", KP, {"leerling", "verzuim_melding"}, age=14, pre=IN_CASE),
        "permit",
    ),
    Case(
        "care details from leerplicht need the case consent",
        req(
            "leerplicht",
            "wijkteam",
            KP,
            CLOSED_LIST | {"gezinsplan"},
            age=14,
            pre=IN_CASE,
            action="send",
        ),
        "consent_missing",
    ),
    Case(
        "without consent the release keeps to the closed list",
        req("leerplicht", "jgz", KP, {"leerling", "verzuim", "opp"}, age=9, pre=IN_CASE),
        "permit",
        {"leerling", "verzuim"},
    ),
    Case(
        "with the case consent leerplicht shares more",
        req(
            "leerplicht",
            "wijkteam",
            KP,
            CLOSED_LIST | {"gezinsplan"},
            age=9,
            pre=IN_CASE,
            grantors=("parent", "guardian"),
            action="send",
        ),
        "permit",
    ),
    Case(
        "a school's closed list still needs the case consent",
        req("school_vo", "leerplicht", KP, {"leerling", "verzuim"}, age=14, pre=IN_CASE),
        "consent_missing",
    ),
    Case(
        "only to a participant of the case",
        req("leerplicht", "wijkteam", KP, CLOSED_LIST, age=14, action="send"),
        "not_participant",
    ),
    Case(
        "a participant with the case consent",
        req(
            "wijkteam",
            "school_po",
            KP,
            {"leerling", "gezinsplan"},
            age=9,
            pre=IN_CASE,
            grantors=("parent", "guardian"),
        ),
        "permit",
    ),
)
def test_knooppunt_participants_and_leerplichts_own_task(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


def _knooppunt(grantors: tuple[str, ...], holders: int | None, age: int = 9) -> Request:
    return Request(
        sender_kind="wijkteam",
        recipient_kind="school_po",
        purpose=KP,
        categories=frozenset({"leerling"}),
        subject_age=age,
        consent=ConsentState(grantors, gezag_holders=holders),
        preconditions=Preconditions(participant=True),
    )


def test_both_parents_means_both_who_hold_gezag(catalog: Catalog) -> None:
    assert catalog.flows[KP].consent is not None
    assert catalog.flows[KP].consent.parents_needed == 2  # the demo region asks both
    # Sole gezag: one parent, or a voogd alone, is every parent with gezag there is.
    assert evaluate(_knooppunt(("parent",), 1), catalog).permitted
    assert evaluate(_knooppunt(("guardian",), 1), catalog).permitted
    # Joint gezag, or not looked up: both must consent.
    joint = evaluate(_knooppunt(("parent",), 2), catalog)
    assert joint.code == "consent_missing"
    assert "both parents with gezag" in joint.reasons[0]
    assert evaluate(_knooppunt(("parent",), None), catalog).code == "consent_missing"
    assert evaluate(_knooppunt(("parent", "guardian"), 2), catalog).permitted
    # Never fewer than one parent, whatever the register says.
    assert evaluate(_knooppunt((), 0), catalog).code == "consent_missing"
    assert evaluate(_knooppunt(("pupil",), 0, age=13), catalog).code == "consent_missing"
    # From 12 the child as well, gezag or not.
    assert evaluate(_knooppunt(("parent",), 1, age=13), catalog).code == "consent_missing"
    assert evaluate(_knooppunt(("parent", "pupil"), 1, age=13), catalog).permitted
