"""Flows 1-4 of DOMAIN.md §3 (overdracht): the permit and every way each denies.

Each case is (name, request, expected) where expected is "permit" or the deny code;
`released` and `obligations`, when given, must match exactly / be included.
"""

from __future__ import annotations

from policies.catalog import Catalog
from tests.policies.policy_cases import BOTH, OVERSTAP, Case, cases, check, req

PO_VO = "overdracht.po_vo"


@cases(
    Case(
        "send after aanmelding",
        req(
            "school_po",
            "school_vo",
            PO_VO,
            OVERSTAP | {"verzuim"},
            pre=["aanmelding"],
            age=12,
            action="send",
        ),
        "permit",
        OVERSTAP | {"verzuim"},
        {"no_selection_at_the_gate", "record_inzage_date", "attach_zienswijze"},
    ),
    Case(
        "release after aanmelding and inzage",
        req("school_po", "school_vo", PO_VO, OVERSTAP, pre=BOTH),
        "permit",
        OVERSTAP,
    ),
    Case(
        "release withholds VERBODEN vve",
        req("school_sbo", "school_pro", PO_VO, OVERSTAP | {"vve", "vombo"}, pre=BOTH),
        "permit",
        OVERSTAP,
    ),
    Case(
        "send without aanmelding",
        req("school_po", "school_vo", PO_VO, OVERSTAP, age=12, action="send"),
        "no_enrolment",
    ),
    Case(
        "release without inzage",
        req("school_po", "school_vo", PO_VO, OVERSTAP, pre=["aanmelding"]),
        "inzage_missing",
    ),
    Case(
        "release without aanmelding",
        req("school_po", "school_vo", PO_VO, OVERSTAP, pre=["inzage"]),
        "no_enrolment",
    ),
    Case(
        "send with VERBODEN vve",
        req(
            "school_po",
            "school_vo",
            PO_VO,
            OVERSTAP | {"vve"},
            pre=["aanmelding"],
            age=12,
            action="send",
        ),
        "category_forbidden",
    ),
    Case(
        "send with unlisted gezondheid",
        req(
            "school_po",
            "school_vo",
            PO_VO,
            OVERSTAP | {"gezondheid"},
            pre=["aanmelding"],
            age=12,
            action="send",
        ),
        "category_forbidden",
    ),
    Case(
        "send without overstapadvies",
        req(
            "school_po",
            "school_vo",
            PO_VO,
            OVERSTAP - {"overstapadvies"},
            pre=["aanmelding"],
            age=12,
            action="send",
        ),
        "category_missing",
    ),
    Case(
        "unknown category",
        req("school_po", "school_vo", PO_VO, OVERSTAP | {"bsn"}, pre=BOTH),
        "category_forbidden",
    ),
    Case(
        "release of only forbidden categories",
        req("school_po", "school_vo", PO_VO, {"vve"}, pre=BOTH),
        "category_forbidden",
    ),
    Case(
        "recipient not a VO school",
        req("school_po", "jgz", PO_VO, OVERSTAP, pre=BOTH),
        "flow_not_allowed",
    ),
    Case(
        "sender not a PO school",
        req("school_vo", "school_vo", PO_VO, OVERSTAP, pre=BOTH),
        "flow_not_allowed",
    ),
    Case(
        "VO school registers an aanmelding",
        req("", "school_vo", PO_VO, action="register"),
        "permit",
    ),
    Case(
        "JGZ cannot register an aanmelding",
        req("", "jgz", PO_VO, action="register"),
        "flow_not_allowed",
    ),
)
def test_overdracht_po_vo(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


@cases(
    Case(
        "PO to PO may carry vve",
        req(
            "school_po",
            "school_po",
            "overdracht.po_po",
            OVERSTAP | {"vve"},
            pre=["aanmelding"],
            age=12,
            action="send",
        ),
        "permit",
    ),
    Case(
        "PO to PO forbids vombo",
        req(
            "school_po",
            "school_sbo",
            "overdracht.po_po",
            OVERSTAP | {"vombo"},
            pre=["aanmelding"],
            age=12,
            action="send",
        ),
        "category_forbidden",
    ),
    Case(
        "PO to PO after enrolment only",
        req("school_po", "school_po", "overdracht.po_po", OVERSTAP, age=12, action="send"),
        "no_enrolment",
    ),
    Case(
        "PO to PO release needs inzage",
        req("school_po", "school_po", "overdracht.po_po", OVERSTAP, pre=["aanmelding"]),
        "inzage_missing",
    ),
    Case(
        "VO to VO needs no consent",
        req("school_vo", "school_vo", "overdracht.vo_vo", OVERSTAP | {"vombo"}, pre=BOTH),
        "permit",
        OVERSTAP | {"vombo"},
    ),
    Case(
        "VO to VO forbids vve",
        req(
            "school_vo",
            "school_pro",
            "overdracht.vo_vo",
            OVERSTAP | {"vve"},
            pre=["aanmelding"],
            action="send",
        ),
        "category_forbidden",
    ),
    Case(
        "VO to VO without aanmelding",
        req("school_vo", "school_vo", "overdracht.vo_vo", OVERSTAP, action="send"),
        "no_enrolment",
    ),
    Case(
        "VO to VO release needs inzage",
        req("school_vo", "school_vo", "overdracht.vo_vo", OVERSTAP, pre=["aanmelding"]),
        "inzage_missing",
    ),
    Case(
        "VO to VO missing schoolloopbaan",
        req(
            "school_vo",
            "school_vo",
            "overdracht.vo_vo",
            OVERSTAP - {"schoolloopbaan"},
            pre=["aanmelding"],
            action="send",
        ),
        "category_missing",
    ),
    Case(
        "PO school is not a VO to VO sender",
        req("school_po", "school_vo", "overdracht.vo_vo", OVERSTAP, pre=BOTH),
        "flow_not_allowed",
    ),
)
def test_overdracht_po_po_and_vo_vo(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


SO = (OVERSTAP - {"overstapadvies"}) | {"opp"}


@cases(
    Case(
        "SO sends with the OPP, without schooladvies",
        req("school_so", "school_po", "overdracht.so", SO, pre=["aanmelding"], action="send"),
        "permit",
    ),
    Case(
        "VSO to VO released",
        req("school_vso", "school_vo", "overdracht.so", SO | {"overstapadvies"}, pre=BOTH),
        "permit",
    ),
    Case(
        "OPP is mandatory",
        req("school_so", "school_po", "overdracht.so", OVERSTAP, pre=["aanmelding"], action="send"),
        "category_missing",
    ),
    Case(
        "vve forbidden",
        req(
            "school_so",
            "school_po",
            "overdracht.so",
            SO | {"vve"},
            pre=["aanmelding"],
            action="send",
        ),
        "category_forbidden",
    ),
    Case(
        "without aanmelding",
        req("school_so", "school_po", "overdracht.so", SO, action="send"),
        "no_enrolment",
    ),
    Case(
        "release without inzage",
        req("school_so", "school_po", "overdracht.so", SO, pre=["aanmelding"]),
        "inzage_missing",
    ),
    Case(
        "regular school is not an SO sender",
        req("school_po", "school_so", "overdracht.so", SO, pre=BOTH),
        "flow_not_allowed",
    ),
)
def test_overdracht_so(catalog: Catalog, case: Case) -> None:
    check(catalog, case)


VS = "overdracht.voorschool_po"


@cases(
    Case(
        "parent consents",
        req("voorschool", "school_po", VS, {"leerling", "vve"}, age=4, grantors=("parent",)),
        "permit",
        {"leerling", "vve"},
        {"stop_on_withdrawal"},
    ),
    Case(
        "no consent",
        req("voorschool", "school_po", VS, {"leerling", "vve"}, age=4),
        "consent_missing",
    ),
    Case(
        "age unknown",
        req("voorschool", "school_po", VS, {"leerling"}, grantors=("parent",)),
        "consent_missing",
    ),
    Case(
        "only a non-grantor",
        req("voorschool", "school_po", VS, {"leerling"}, age=4, grantors=("neighbour",)),
        "consent_missing",
    ),
    Case(
        "no school advice",
        req(
            "voorschool",
            "school_po",
            VS,
            {"leerling", "overstapadvies"},
            age=4,
            grantors=("parent",),
            action="send",
        ),
        "category_forbidden",
    ),
    Case(
        "identity is mandatory",
        req("voorschool", "school_po", VS, {"vve"}, age=4, grantors=("parent",), action="send"),
        "category_missing",
    ),
    Case(
        "not to a VO school",
        req("voorschool", "school_vo", VS, {"leerling"}, age=4, grantors=("parent",)),
        "flow_not_allowed",
    ),
)
def test_overdracht_voorschool_po(catalog: Catalog, case: Case) -> None:
    check(catalog, case)
