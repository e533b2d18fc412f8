"""The dry run answers what the act answers: for every transfer flow of the catalog.

Each case is one question, put once to `POST /v1/policies/evaluate` and once, as the
real push, to `POST /v1/transfers` with the same sender kind, recipient kind, purpose,
categories, age, consent and preconditions. Both permit, or both deny with the same
code. The cases are generated from the catalog: per transfer flow the request that
must pass, and beside it one with a category the route does not allow, one without a
mandatory category and one without the consent the flow needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gateway.subjects.schemas import SubjectIn
from policies.catalog import Flow, Route, load_catalog
from tests.support.consent import (
    FATHER_BSN,
    MOTHER_BSN,
    NAMES,
    child,
    consent_body,
    granted,
    parent,
    register_gezag,
)
from tests.support.gateway import START, Gateway, Org, lawful_dossier
from tests.transfers.test_flows import MELDCODE_STEPS, SUBJECT, enrol, push

CATALOG = load_catalog(region="demo")
AGE = SubjectIn.model_validate(SUBJECT).age_on(START.date())
MELDCODE = {"steps": MELDCODE_STEPS, "reasons": ["Signalen van mishandeling"], "parents_told": True}


@dataclass(frozen=True)
class Case:
    purpose: str
    sender: str
    recipient: str
    categories: tuple[str, ...]
    consent: bool
    # The deny code both must give; None: both must permit.
    expected: str | None

    @property
    def flow(self) -> Flow:
        found = CATALOG.flow_for_purpose(self.purpose)
        assert found is not None
        return found


def transfer_flows() -> list[Flow]:
    """Flows between two organisations that a push carries.

    The rights flows answer a data subject and the verwijsindex flows run through
    `/v1/signals`; a flow between case participants runs through `/v1/cases`.
    """
    return [
        flow
        for flow in CATALOG.flows.values()
        if flow.enabled
        and flow.sender_kinds <= CATALOG.org_kinds
        and flow.recipient_kinds <= CATALOG.org_kinds
        and "participant" not in flow.preconditions.get("send", ())
    ]


def base_case(flow: Flow) -> Case:
    route = flow.routes[0]
    return Case(
        flow.id,
        sorted(route.senders)[0],
        sorted(route.recipients)[0],
        tuple(sorted(route.mandatory or _plain_optional(route)[:1])),
        consent=flow.consent is not None and flow.consent.required,
        expected=None,
    )


def _by_consent(case: Case) -> bool:
    relation = case.flow.routes[0].sender_relation
    return relation is not None and relation.registered_consent


def variants(flow: Flow) -> list[Case]:
    """The request that passes, and each way the catalog says it can be refused."""
    route, passes = flow.routes[0], base_case(flow)
    unlisted = sorted(route.forbidden) or sorted(CATALOG.categories - route.allowed)
    cases = [
        passes,
        _vary(passes, categories=(*passes.categories, unlisted[0]), code="category_forbidden"),
    ]
    if route.mandatory:
        rest = set(passes.categories) - {sorted(route.mandatory)[0]}
        rest = rest or set(_plain_optional(route)[:1])
        cases.append(_vary(passes, categories=tuple(sorted(rest)), code="category_missing"))
    if flow.consent is not None and flow.consent.required:
        # A sender whose standing is the consent it registered has none without one.
        code = "sender_not_related" if _by_consent(passes) else "consent_missing"
        cases.append(_vary(passes, consent=False, code=code))
    elif flow.consent is not None:
        bound = sorted(route.needs_consent - route.needs_explicit)[0]
        extra = (*passes.categories, bound)
        cases.append(_vary(passes, categories=extra, code="consent_missing"))
    return cases


def _plain_optional(route: Route) -> list[str]:
    """Optional categories that need nothing beyond the flow's own ground."""
    return sorted(route.optional - route.with_consent - route.needs_explicit)


def _vary(case: Case, *, code: str, **changes: Any) -> Case:
    values = {**case.__dict__, **changes, "expected": code}
    return Case(**values)


GENERATED = [case for flow in transfer_flows() for case in variants(flow)]
# What the dry run used to permit while the push refused: it asked about a release.
ATTACKS = [
    Case(
        "overdracht.po_vo",
        "school_po",
        "school_vo",
        ("leerling", "oudersverzorgers", "overstapadvies", "school", "schoolloopbaan", "vve"),
        consent=False,
        expected="category_forbidden",
    ),
    Case(
        "overdracht.so",
        "school_so",
        "school_vo",
        ("leerling", "oudersverzorgers", "school", "schoolloopbaan"),
        consent=False,
        expected="category_missing",
    ),
    Case(
        "leerplicht.verzuim",
        "school_vo",
        "leerplicht",
        ("gezondheid", "leerling", "school", "verzuim_melding"),
        consent=False,
        expected="category_forbidden",
    ),
]


def case_id(case: Case) -> str:
    return f"{case.purpose}-{case.expected or 'permit'}-{'+'.join(case.categories)}"


def test_every_transfer_flow_is_asked() -> None:
    asked = {case.purpose for case in GENERATED if case.expected is None}
    assert asked == {flow.id for flow in transfer_flows()}
    assert {"overdracht.po_vo", "meldcode.melding", "jeugdhulp.verwijzing"} <= asked


@pytest.mark.parametrize("case", ATTACKS, ids=case_id)
def test_the_dry_run_refuses_what_the_push_refuses(gateway: Gateway, case: Case) -> None:
    assert both_answers(gateway, case) == (case.expected, case.expected)


@pytest.mark.parametrize("case", GENERATED, ids=case_id)
def test_the_dry_run_agrees_with_the_push(gateway: Gateway, case: Case) -> None:
    assert both_answers(gateway, case) == (case.expected, case.expected)


def both_answers(gateway: Gateway, case: Case) -> tuple[str | None, str | None]:
    """(dry run, push): None for a permit, else the deny code."""
    sender, recipient = gateway.make_org(case.sender), gateway.make_org(case.recipient)
    enrolled = "aanmelding" in case.flow.preconditions.get("send", ())
    if enrolled:
        enrol(gateway, recipient, case.purpose)
    grantors = grantor_roles(case.flow)
    if case.consent:
        register_consent(gateway, case, sender, recipient, grantors)
    facts: dict[str, Any] = {"meldcode": MELDCODE} if case.flow.break_glass else {}
    dossier = lawful_dossier(case.categories)
    question = {
        "sender_kind": case.sender,
        "recipient_kind": case.recipient,
        "purpose": case.purpose,
        "subject_age": AGE,
        "categories": list(case.categories),
        "consent": {"granted_by": grantors} if case.consent else None,
        "preconditions": {
            # The push's sender has standing with the pupil (the test gateway gives it),
            # except a voorschool, whose standing is the consent it registered.
            "sender_related": case.consent or not _by_consent(case),
            "aanmelding": enrolled,
            "inzage": False,
            "informed": False,
        },
        **facts,
        **melding_facts(dossier),
    }
    dry = gateway.client.post("/v1/policies/evaluate", json=question, headers=sender.headers())
    assert dry.status_code == 200, dry.text
    pushed = push(gateway, sender, recipient, case.purpose, dossier, **facts)
    assert pushed.status_code in (201, 403, 409, 422), pushed.text
    return dry.json()["decision"]["code"], pushed.json().get("code")


def melding_facts(dossier: dict[str, Any]) -> dict[str, Any]:
    """What the push reads from a verzuimmelding, put to the dry run as its facts."""
    melding = dossier.get("verzuim_melding")
    if melding is None:
        return {}
    return {
        "absence_hours": melding.get("uren"),
        "absence_type": melding["soort"],
        "absence_period": melding["periode"],
    }


def grantor_roles(flow: Flow) -> list[str]:
    """Who must consent at the pupil's age, by the flow's own age rule."""
    if flow.consent is None:
        return []
    parents, pupil = flow.consent.age_rule.at(AGE)
    roles = ["parent"] * flow.consent.parents_needed if parents else []
    return [*roles, "pupil"] if pupil else roles


def register_consent(
    gateway: Gateway, case: Case, sender: Org, recipient: Org, roles: list[str]
) -> None:
    """The consent on record for the flow's categories in the request.

    Parents with gezag are registered by the pupil's school.
    """
    school = sender if sender.kind.startswith("school_") else recipient
    parents = [parent(NAMES[0], MOTHER_BSN), parent(NAMES[1], FATHER_BSN)]
    grantors = parents[: roles.count("parent")] + ([child()] if "pupil" in roles else [])
    for grantor in grantors[: roles.count("parent")]:
        registered = register_gezag(gateway, school, SUBJECT, grantor, has=True)
        assert registered.status_code == 201, registered.text
    body = consent_body(
        [recipient.id],
        subject=SUBJECT,
        granted_by=grantors,
        purpose=case.purpose,
        categories=tuple(c for c in case.categories if c in case.flow.routes[0].allowed),
    )
    granted(gateway, sender, body)
