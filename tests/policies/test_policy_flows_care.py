"""Flows 9-11 of DOMAIN.md §3 (jeugdhulp, knooppunt): the permit and every way each denies.

Each case is (name, request, expected) where expected is "permit" or the deny code;
`released` and `obligations`, when given, must match exactly / be included.
"""

from __future__ import annotations

from policies.catalog import Catalog
from tests.policies.policy_cases import Case, cases, check, req

JV = "jeugdhulp.verwijzing"


@cases(
    Case(
        "under 12 a parent",
        req(
            "school_po",
            "wijkteam",
            JV,
            {"leerling", "onderwijsondersteuning"},
            age=8,
            grantors=("parent",),
        ),
        "permit",
        {"leerling", "onderwijsondersteuning"},
        {"stop_on_withdrawal"},
    ),
    Case(
        "under 12 without consent",
        req("school_po", "wijkteam", JV, {"leerling"}, age=8),
        "consent_missing",
    ),
    Case(
        "12-15 parent alone",
        req("school_vo", "jeugdhulp", JV, {"leerling"}, age=13, grantors=("parent",)),
        "consent_missing",
    ),
    Case(
        "12-15 child alone",
        req("school_vo", "jeugdhulp", JV, {"leerling"}, age=13, grantors=("pupil",)),
        "consent_missing",
    ),
    Case(
        "12-15 parent and child",
        req("school_vo", "jeugdhulp", JV, {"leerling"}, age=13, grantors=("guardian", "pupil")),
        "permit",
    ),
    Case(
        "16 the youth alone",
        req("school_vo", "wijkteam", JV, {"leerling"}, age=16, grantors=("pupil",)),
        "permit",
    ),
    Case(
        "16 parents cannot consent for the youth",
        req("school_vo", "wijkteam", JV, {"leerling"}, age=16, grantors=("parent", "parent")),
        "consent_missing",
    ),
    Case(
        "age unknown",
        req("school_vo", "wijkteam", JV, {"leerling"}, grantors=("parent", "pupil")),
        "consent_missing",
    ),
    Case(
        "health without explicit consent is not sent",
        req(
            "school_po",
            "wijkteam",
            JV,
            {"leerling", "gezondheid"},
            age=8,
            grantors=("parent",),
            action="send",
        ),
        "consent_missing",
    ),
    Case(
        "health without explicit consent is withheld",
        req("school_po", "wijkteam", JV, {"leerling", "gezondheid"}, age=8, grantors=("parent",)),
        "permit",
        {"leerling"},
    ),
    Case(
        "health with explicit consent",
        req(
            "school_po",
            "wijkteam",
            JV,
            {"leerling", "gezondheid"},
            age=8,
            grantors=("parent",),
            scope={"leerling", "gezondheid"},
        ),
        "permit",
        {"leerling", "gezondheid"},
    ),
    Case(
        "identity mandatory",
        req(
            "school_po",
            "wijkteam",
            JV,
            {"onderwijsondersteuning"},
            age=8,
            grantors=("parent",),
            action="send",
        ),
        "category_missing",
    ),
    # School social work and the JGZ are care under professional secrecy like the
    # wijkteam: the school refers to them on the same consent.
    Case(
        "to JGZ with the parents' consent",
        req("school_po", "jgz", JV, {"leerling"}, age=8, grantors=("parent",)),
        "permit",
    ),
    Case(
        "to school social work: 12-15 needs the child too",
        req("school_vo", "smw", JV, {"leerling"}, age=13, grantors=("parent",)),
        "consent_missing",
    ),
    Case(
        "to school social work with parents and child",
        req("school_vo", "smw", JV, {"leerling"}, age=13, grantors=("parent", "pupil")),
        "permit",
    ),
    Case(
        "to JGZ not without consent",
        req("school_po", "jgz", JV, {"leerling"}, age=8),
        "consent_missing",
    ),
    Case(
        "not to the voorschool",
        req("school_po", "voorschool", JV, {"leerling"}, age=8, grantors=("parent",)),
        "flow_not_allowed",
    ),
)
def test_jeugdhulp_verwijzing(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


JT = "jeugdhulp.terugkoppeling"


@cases(
    Case(
        "feedback with consent",
        req(
            "wijkteam",
            "school_po",
            JT,
            {"leerling", "knooppunt_afspraken"},
            age=9,
            grantors=("parent",),
        ),
        "permit",
        None,
        {"school_needs_only"},
    ),
    Case("no consent", req("jeugdhulp", "school_vo", JT, {"leerling"}, age=14), "consent_missing"),
    Case(
        "12-15 needs the child too",
        req("jeugdhulp", "school_vo", JT, {"leerling"}, age=14, grantors=("parent",)),
        "consent_missing",
    ),
    # A diagnosis the school must take into account: only on explicit consent naming it.
    Case(
        "health data to the school only on explicit consent",
        req(
            "jeugdhulp",
            "school_vo",
            JT,
            {"leerling", "gezondheid"},
            age=17,
            grantors=("pupil",),
            action="send",
        ),
        "consent_missing",
    ),
    Case(
        "health data to the school on a consent naming it",
        req(
            "jeugdhulp",
            "school_vo",
            JT,
            {"leerling", "gezondheid"},
            age=17,
            grantors=("pupil",),
            scope=("leerling", "gezondheid"),
            action="send",
        ),
        "permit",
    ),
    Case(
        "feedback from the JGZ",
        req("jgz", "school_po", JT, {"leerling"}, age=9, grantors=("parent",)),
        "permit",
    ),
    Case(
        "feedback from school social work",
        req("smw", "school_vo", JT, {"leerling"}, age=16, grantors=("pupil",)),
        "permit",
    ),
    Case(
        "not the family plan",
        req(
            "wijkteam",
            "school_po",
            JT,
            {"leerling", "gezinsplan"},
            age=9,
            grantors=("parent",),
            action="send",
        ),
        "category_forbidden",
    ),
    Case(
        "school to wijkteam is the other flow",
        req("school_po", "wijkteam", JT, {"leerling"}, age=9, grantors=("parent",)),
        "flow_not_allowed",
    ),
)
def test_jeugdhulp_terugkoppeling(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


KC = "knooppunt.casus"


@cases(
    Case(
        "both parents, participant (demo region: both)",
        req(
            "school_po",
            "jgz",
            KC,
            {"leerling", "knooppunt_afspraken"},
            age=10,
            grantors=("parent", "parent"),
            pre=["participant"],
        ),
        "permit",
        None,
        {"purpose_bound_minimum"},
    ),
    Case(
        "one parent is not enough here",
        req(
            "school_po", "jgz", KC, {"leerling"}, age=10, grantors=("parent",), pre=["participant"]
        ),
        "consent_missing",
    ),
    Case(
        "12-15 parents and child",
        req(
            "swv_vo",
            "wijkteam",
            KC,
            {"leerling", "opp"},
            age=13,
            grantors=("parent", "parent", "pupil"),
            pre=["participant"],
        ),
        "permit",
    ),
    Case(
        "17 the youth",
        req(
            "leerplicht",
            "school_vo",
            KC,
            {"leerling"},
            age=17,
            grantors=("pupil",),
            pre=["participant"],
        ),
        "permit",
    ),
    Case(
        "recipient not a participant",
        req("school_po", "jgz", KC, {"leerling"}, age=10, grantors=("parent", "parent")),
        "not_participant",
    ),
    Case(
        "health only when the consent names it",
        req(
            "school_po",
            "jgz",
            KC,
            {"leerling", "gezondheid"},
            age=10,
            grantors=("parent", "parent"),
            pre=["participant"],
            action="send",
        ),
        "consent_missing",
    ),
    Case(
        "no signal data in a case",
        req(
            "school_po",
            "jgz",
            KC,
            {"signaal"},
            age=10,
            grantors=("parent", "parent"),
            pre=["participant"],
            action="send",
        ),
        "category_forbidden",
    ),
    Case(
        "Veilig Thuis is not a core partner",
        req(
            "school_po",
            "veilig_thuis",
            KC,
            {"leerling"},
            age=10,
            grantors=("parent", "parent"),
            pre=["participant"],
        ),
        "flow_not_allowed",
    ),
)
def test_knooppunt_casus(catalog: Catalog, case: Case) -> None:
    check(catalog, case)
