"""Rows of the index: sealing the reporter's contact, and removing a signal entirely."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.core.context import ActContext
from gateway.edges import Edges
from gateway.orgs.models import Organisation
from gateway.signals.guards import MATCH_CATEGORIES, SIGNAL
from gateway.signals.models import Signal, SignalMatch, SignalNotification, SignalParent
from gateway.signals.schemas import Contact
from policies.model import Decision

CONTACT = "verwijsindex.contact"
NOT_TOLD = "verwijsindex.not_told"


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


def seal(
    session: Session, edges: Edges, signal_id: str, org_id: str, purpose: str, data: bytes
) -> bytes:
    """Sealed under the reporting organisation's data key for `purpose`, bound to the
    signal: the contact of one signal does not open as another's."""
    return edges.keyring.envelope.seal(
        session, subject_ref=org_id, purpose=purpose, record_id=signal_id, plaintext=data,
        now=edges.now,
    )  # fmt: skip


def contact_of(session: Session, edges: Edges, signal: Signal) -> Contact:
    plaintext = edges.keyring.envelope.open(
        session, record_id=signal.id, purpose=CONTACT, ciphertext=signal.contact
    )
    return Contact.model_validate_json(plaintext)


def kind_of(session: Session, org_id: str) -> str:
    org = session.get(Organisation, org_id)
    return org.kind if org is not None else ""


def remove(session: Session, signal_ids: list[str]) -> None:
    """The signals gone from the index with everything that points at them: their
    matches (on both sides), notifications and parents. The audit log keeps the acts."""
    if not signal_ids:
        return
    matches = select(SignalMatch.id).where(
        or_(SignalMatch.signal_id.in_(signal_ids), SignalMatch.other_id.in_(signal_ids))
    )
    match_ids = list(session.scalars(matches))
    session.execute(
        delete(SignalNotification).where(
            or_(
                SignalNotification.signal_id.in_(signal_ids),
                SignalNotification.match_id.in_(match_ids),
            )
        )
    )
    session.execute(delete(SignalMatch).where(SignalMatch.id.in_(match_ids)))
    session.execute(delete(SignalParent).where(SignalParent.signal_id.in_(signal_ids)))
    session.execute(delete(Signal).where(Signal.id.in_(signal_ids)))


@dataclass(frozen=True, slots=True)
class Party:
    """One side of an act on a match, as its organisation's log records it."""

    org: str
    actor: str | None
    actor_role: str | None


def log_both(
    session: Session,
    *,
    parties: tuple[Party, Party],
    action: str,
    decisions: tuple[Decision, Decision],
    match_id: str,
    subject_ref: str | None,
    request_id: str | None,
    now: datetime,
) -> None:
    """One entry per side, both carrying the match id as their transaction id."""
    for party, decision in zip(parties, decisions, strict=True):
        event = AuditEvent(
            org=party.org,
            actor=party.actor,
            actor_role=party.actor_role,
            purpose="verwijsindex.match",
            action=action,
            decision=decision,
            subject_ref=subject_ref,
            object_id=match_id,
            categories=MATCH_CATEGORIES,
            request_id=request_id,
        )
        audit.append(session, event, now=now)


def log_signal(
    session: Session,
    ctx: ActContext | None,
    signal: Signal,
    *,
    action: str,
    decision: Decision,
    now: datetime,
    subject_ref: str | None = None,
    purpose: str = SIGNAL,
) -> None:
    """An act on one signal, in its organisation's log; by the sweep when ctx is None."""
    event = AuditEvent(
        org=signal.org_id if ctx is None else ctx.org_id,
        actor=None if ctx is None else ctx.actor,
        actor_role=None if ctx is None else ctx.actor_role,
        purpose=purpose if ctx is None else ctx.purpose,
        action=action,
        decision=decision,
        subject_ref=subject_ref,
        object_id=signal.id,
        request_id=None if ctx is None else ctx.request_id,
        owner=signal.org_id,
    )
    audit.append(session, event, now=now)
