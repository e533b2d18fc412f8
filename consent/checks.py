"""What a consent must satisfy before it is registered (DOMAIN §5).

Consent is specific: one purpose on a consent-based flow, recipients that the flow may
reach, categories the flow carries, an end date, and grantors who together satisfy the
age rule of the catalog (the same `consent_gap` the engine applies on every access).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from consent import gezag, period
from consent.schemas import ConsentCreate
from gateway.core.errors import Forbidden, Unprocessable
from gateway.crypto.pseudonym import Pseudonymizer
from policies.compiled import Catalog, ConsentRule, Flow
from policies.model import ConsentState, Request
from policies.rules import consent_gap

MAX_YEARS = 20


@dataclass(frozen=True, slots=True)
class Grantor:
    role: str
    name: str
    # The keyed pseudonym of the grantor's BSN, when one was given.
    person_ref: str | None


def consent_flow(catalog: Catalog, purpose: str) -> tuple[Flow, ConsentRule]:
    """The flow of `purpose` and its consent rule, when consent is a ground on it at all."""
    flow = catalog.flow_for_purpose(purpose)
    if flow is None or flow.consent is None:
        raise Unprocessable(
            "This purpose does not rest on consent; no consent can be registered for it.",
            code="consent_not_applicable",
        )
    return flow, flow.consent


def check_party(flow: Flow, org_kind: str | None) -> None:
    """Only a party to the consented flow registers a consent for it (or the parent or
    pupil themselves, through the portal: `org_kind` None)."""
    if org_kind is not None and org_kind not in flow.sender_kinds | flow.recipient_kinds:
        raise Forbidden(
            f"A {org_kind} is no party to {flow.id} and registers no consent for it.",
            code="not_party",
        )


def check_scope(
    body: ConsentCreate, flow: Flow, catalog: Catalog, recipient_kinds: Mapping[str, str]
) -> None:
    """Categories the flow carries, recipients that exist and that the flow may reach."""
    requested = set(body.categories)
    if requested - catalog.categories:
        # Named without echoing them: an unknown name is the client's text, not ours.
        raise Unprocessable("A category is not in the catalog.", code="category_forbidden")
    forbidden = sorted(requested - flow.categories)
    if forbidden:
        raise Unprocessable(
            f"Not carried by {flow.id}: {', '.join(forbidden)}.", code="category_forbidden"
        )
    if any(org_id not in recipient_kinds for org_id in body.recipients):
        raise Unprocessable(
            "A recipient is not a registered organisation.", code="unknown_recipient"
        )
    if any(recipient_kinds[org_id] not in flow.recipient_kinds for org_id in body.recipients):
        raise Unprocessable(
            f"A recipient is of a kind that {flow.id} does not reach.",
            code="recipient_not_in_flow",
        )


def check_terms(body: ConsentCreate, now: datetime) -> None:
    today = period.today(now)
    if body.valid_until < today:
        raise Unprocessable("valid_until lies in the past.", code="invalid_validity")
    # A bound, not a policy: a consent "until" decades ahead is not specific (DOMAIN §5).
    if body.valid_until > today + timedelta(days=366 * MAX_YEARS):
        raise Unprocessable(
            f"valid_until lies more than {MAX_YEARS} years ahead.", code="invalid_validity"
        )
    if body.evidence == "paper" and not body.evidence_ref:
        raise Unprocessable(
            "A paper consent names the signed form in evidence_ref.", code="evidence_missing"
        )


def grantors_gap(
    roles: Sequence[str],
    *,
    age: int,
    purpose: str,
    rule: ConsentRule,
    catalog: Catalog,
    gezag_holders: int | None = None,
) -> str | None:
    """Why these grantor roles do not satisfy the age rule at `age`, or None."""
    request = Request(
        sender_kind="",
        recipient_kind="",
        purpose=purpose,
        categories=frozenset(),
        subject_age=age,
        consent=ConsentState(granted_by=tuple(roles), gezag_holders=gezag_holders),
    )
    return consent_gap(request, rule, catalog)


def counted_holders(rule: ConsentRule, on_record: gezag.Holders | None) -> int | None:
    """How many parents "both parents" of `rule` asks for this pupil: those who hold
    gezag on record (sole gezag: one). The one reading of gezag for registering a consent
    and for telling when it needs renewal; None when the rule asks one parent at most."""
    return on_record.count if on_record is not None and rule.parents_needed > 1 else None


def check_grantors(
    session: Session,
    *,
    body: ConsentCreate,
    rule: ConsentRule,
    catalog: Catalog,
    subject_ref: str,
    pseudonyms: Pseudonymizer,
    now: datetime,
) -> list[Grantor]:
    """The grantors, each entitled (gezag, identity), together meeting the age rule."""
    grantors = [
        Grantor(g.role, g.name, pseudonyms.subject_ref(g.bsn) if g.bsn else None)
        for g in body.granted_by
    ]
    _check_identities(grantors, catalog, subject_ref)
    _check_gezag(session, grantors, catalog, subject_ref)
    gap = grantors_gap(
        [g.role for g in grantors],
        age=period.age(body.subject, now),
        purpose=body.purpose,
        rule=rule,
        catalog=catalog,
        gezag_holders=counted_holders(rule, gezag.holding(session, subject_ref=subject_ref)),
    )
    if gap is not None:
        raise Unprocessable(f"Consent insufficient: {gap}.", code="consent_grantors_insufficient")
    return grantors


def _check_identities(grantors: list[Grantor], catalog: Catalog, subject_ref: str) -> None:
    known = [g.person_ref for g in grantors if g.person_ref is not None]
    pupils = [g for g in grantors if catalog.grantor_roles.get(g.role) == "pupil"]
    # One person counts once: two entries for the same parent are not both parents.
    if len(set(known)) != len(known) or len(pupils) > 1:
        raise Unprocessable("A person is named twice among the grantors.", code="duplicate_grantor")
    if any(p.person_ref not in (None, subject_ref) for p in pupils):
        raise Unprocessable(
            "The pupil grantor is not the pupil this consent is about.", code="grantor_mismatch"
        )
    if any(g.person_ref == subject_ref for g in grantors if g not in pupils):
        raise Unprocessable(
            "The pupil cannot consent as their own parent.", code="grantor_mismatch"
        )


def _check_gezag(
    session: Session, grantors: list[Grantor], catalog: Catalog, subject_ref: str
) -> None:
    """Fail closed: a parent grantor is a person named by BSN whom the enrolled school
    registered as holding gezag; without that on record no parent can consent."""
    for parent in (g for g in grantors if catalog.grantor_roles.get(g.role) == "parent"):
        entitled = parent.person_ref is not None and gezag.holds_gezag(
            session, subject_ref=subject_ref, person_ref=parent.person_ref
        )
        if not entitled:
            raise Unprocessable(
                "A parent or guardian grantor is named by BSN and holds gezag over this "
                "pupil on record; the school where the pupil is enrolled registers gezag.",
                code="gezag_unknown",
            )


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What a case consent is checked against: the case's pupil, whether it is still
    open, and the organisations that take part in it now (left ones not)."""

    subject_ref: str
    open: bool
    participants: frozenset[str]


class CaseLookup(Protocol):
    """The case register, as the wiring hands it in: this package does not reach it."""

    def __call__(self, session: Session, case_id: str) -> CaseFacts | None: ...


# The one purpose whose consents name a case (DOMAIN §3 row 11).
CASE_PURPOSE = "knooppunt.casus"


def check_case_purpose(body: ConsentCreate) -> None:
    """A `case_id` belongs on a case consent only: on any other purpose it would scope
    a consent to something that purpose knows nothing of."""
    if body.case_id is not None and body.purpose != CASE_PURPOSE:
        raise Unprocessable(
            f"Only a {CASE_PURPOSE} consent names a case.", code="case_purpose_mismatch"
        )


def check_case(
    session: Session,
    *,
    body: ConsentCreate,
    subject_ref: str,
    org_id: str | None,
    cases: CaseLookup | None,
) -> None:
    """A case consent names a case the registering organisation takes part in, about
    the consent's pupil, and only recipients at that table.

    A case that does not exist and one the registering organisation does not take part
    in get the same answer (`unknown_case`): the registry tells no stranger that a case
    exists. Without a case register wired in, no case is known (fail closed). A parent
    or pupil registering through the portal (`org_id` None) is checked on the pupil.
    """
    if body.case_id is None:
        return
    facts = cases(session, body.case_id) if cases is not None else None
    stranger = facts is None or (
        org_id not in facts.participants
        if org_id is not None
        # A person at the portal knows the cases about their own child only.
        else facts.subject_ref != subject_ref
    )
    if facts is None or stranger:
        raise Unprocessable("No such case.", code="unknown_case")
    if facts.subject_ref != subject_ref:
        raise Unprocessable(
            "The case is about another pupil than this consent.", code="case_subject_mismatch"
        )
    if not facts.open:
        raise Unprocessable("The case is closed.", code="case_closed")
    if any(recipient not in facts.participants for recipient in body.recipients):
        raise Unprocessable(
            "A recipient does not take part in the case.", code="recipient_not_participant"
        )
