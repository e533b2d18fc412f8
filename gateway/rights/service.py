"""Recording the refusal or restriction of a rights request, and reading it back.

The refusal is an act on the pupil's record like any other: the catalog decides that
the caller answers this right for this requester (the same rule as releasing it), the
ground is checked against who may invoke it, and the audit log keeps it with the
ground as its rule and the statute as its legal basis. The requester reads it in the
portal, explained in words; no separate store, so nothing can say otherwise than the
log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from consent.models import Consent, ConsentRecipient
from consent.period import today
from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import enforce
from gateway.core.context import DATA_SUBJECT, ActContext
from gateway.core.errors import Forbidden, NotFound
from gateway.edges import Edges
from gateway.enrolments.models import Enrolment
from gateway.rights.grounds import ACTIONS, GROUNDS, Ground, ground_of
from gateway.rights.schemas import RefusalIn
from gateway.subjects import service as subjects
from gateway.transfers.models import Transfer
from policies.model import Decision, Request


def record_refusal(
    session: Session, body: RefusalIn, *, ctx: ActContext, edges: Edges
) -> tuple[str, Decision]:
    """The pupil's ref and the decision on record; a refusal of the act is on record too."""
    action = ACTIONS[body.outcome]
    version = edges.catalog.version
    with audit.attempt(ctx, action=action, policy_version=version, now=edges.now) as act:
        flow = edges.catalog.flow_for_purpose(ctx.purpose)
        if flow is None or flow.requester_rule is None:
            raise Forbidden(
                "X-Purpose names no data-subject right (rechten.*).", code="flow_not_allowed"
            )
        ref = edges.keyring.pseudonyms.subject_ref(body.subject.bsn)
        if not holds_data_on(session, org_id=ctx.org_id, subject_ref=ref):
            # Only a controller that holds the pupil's data answers a request about it;
            # to anyone else the pupil is unknown, whether the gateway knows it or not.
            raise NotFound("No such pupil.")
        act.subject_ref = ref
        # Holding data is not holding the record: a party that only sent a melding
        # about the pupil must not learn its facts from a conflict (discretion).
        subjects.agreed(
            session, body.subject, ctx=ctx, standing=edges.standing, act=act, discreet=True
        )
        request = Request(
            sender_kind=ctx.org_kind,
            recipient_kind=DATA_SUBJECT,
            purpose=ctx.purpose,
            categories=frozenset(),
            subject_age=body.subject.age_on(today(edges.now)),
            requester=body.requester,
            action="release",
        )
        answered = enforce(
            edges.catalog, request, ctx, action=action, now=edges.now, subject_ref=ref
        )
        ground = GROUNDS[body.ground]
        if ground.kinds is not None and ctx.org_kind not in ground.kinds:
            raise Forbidden(
                f"A {ctx.org_kind} cannot refuse on {ground.statute}.",
                code="ground_not_applicable",
            )
    decision = replace(
        answered,
        legal_basis=ground.statute,
        rule=f"{ctx.purpose}/{body.outcome}/{ground.code}",
        reasons=(f"The request is {body.outcome} on {ground.statute}.",),
        obligations=("tell_the_requester_the_ground",),
        released=frozenset(),
    )
    event = AuditEvent.of(ctx, action=action, decision=decision, subject_ref=ref)
    audit.append(session, event, now=edges.now)
    return ref, decision


def holds_data_on(session: Session, *, org_id: str, subject_ref: str) -> bool:
    """The organisation has the pupil's data through the gateway: it enrolled the pupil,
    sent or received a dossier about it, or registered or is named by a consent."""
    held = (
        select(Enrolment.id).where(
            Enrolment.org_id == org_id, Enrolment.subject_ref == subject_ref
        ),
        select(Transfer.id).where(
            Transfer.subject_ref == subject_ref,
            or_(Transfer.sender_org_id == org_id, Transfer.recipient_org_id == org_id),
        ),
        select(Consent.id).where(
            Consent.subject_ref == subject_ref,
            or_(
                Consent.registered_by_org == org_id,
                Consent.id.in_(
                    select(ConsentRecipient.consent_id).where(ConsentRecipient.org_id == org_id)
                ),
            ),
        ),
    )
    return any(session.scalar(query.limit(1)) is not None for query in held)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused or restricted request, as the requester reads it."""

    time: datetime
    org: str
    right: str
    outcome: str
    ground: Ground


def refusals(session: Session, *, subject_ref: str) -> list[Refusal]:
    """Every refusal or restriction of a request about the pupil, newest first."""
    query = (
        select(AuditEntry)
        .where(
            AuditEntry.subject_ref == subject_ref,
            AuditEntry.action.in_(sorted(ACTIONS.values())),
            AuditEntry.decision == "permit",
        )
        .order_by(AuditEntry.seq.desc())
    )
    found = []
    outcomes = {action: outcome for outcome, action in ACTIONS.items()}
    for entry in session.scalars(query):
        ground = ground_of(entry.rule)
        if ground is not None:
            found.append(
                Refusal(entry.time, entry.org, entry.purpose, outcomes[entry.action], ground)
            )
    return found
