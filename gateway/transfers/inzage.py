"""Inzage: the parents (from 16 the pupil) see a dossier before it goes, and say so.

Two ways in, one transition. The sending school records that the parents had inzage
(`POST /v1/transfers/{id}/inzage`, in `transfers.service`); or the parent or pupil
reads the dossier in the portal and records inzage there. Reading is the right of
access of AVG art. 15, decided by the catalog as `rechten.inzage` with the sending
organisation's kind, the pupil's age and who asks; either way the dossier becomes
available to the receiving school with the zienswijze attached (sealed), which is
never a veto, and every act and every refusal is on record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import enforce
from gateway.core.context import DATA_SUBJECT, ActContext
from gateway.core.errors import Conflict, NotFound
from gateway.delivery import outbox
from gateway.edges import Edges
from gateway.transfers import formats
from gateway.transfers.acts import apply_inzage, open_sealed, parties, seal, waits_for_inzage
from gateway.transfers.models import Transfer
from gateway.transfers.schemas import InzageIn
from policies.model import Decision, Request

RIGHTS_PURPOSE = "rechten.inzage"
OPEN_FOR_INZAGE = ("awaiting_inzage", "available")


@dataclass(frozen=True, slots=True)
class Requester:
    """Who exercises the right: for which pupil, as what (parent, guardian, pupil)."""

    subject_ref: str
    relation: str
    age: int


@dataclass(frozen=True, slots=True)
class DossierView:
    transfer: Transfer
    sender_name: str
    recipient_name: str
    dossier: dict[str, Any]
    zienswijze: str | None


def make_available(session: Session, transfer: Transfer, body: InzageIn, edges: Edges) -> None:
    """The one transition: inzage recorded, zienswijze sealed, the dossier may go."""
    apply_inzage(transfer, body, partial(seal, session, transfer, edges=edges))
    newly = transfer.status != "available"
    transfer.status, transfer.updated_at = "available", edges.now
    if newly:  # inzage recorded again changes nothing the recipient must be told
        notify_available(session, transfer, edges)


def notify_available(session: Session, transfer: Transfer, edges: Edges) -> None:
    """The recipient's notification, in the transaction that makes the dossier available."""
    outbox.transfer_available(
        session,
        transfer_id=transfer.id,
        recipient=transfer.recipient_org_id,
        sender=transfer.sender_org_id,
        purpose=transfer.purpose,
        subject_ref=transfer.subject_ref,
        pseudonyms=edges.keyring.pseudonyms,
        now=edges.now,
    )


def awaiting(session: Session, *, subject_ref: str, edges: Edges) -> list[Transfer]:
    """The pupil's dossiers that parents see before they go, newest first."""
    query = (
        select(Transfer)
        .where(Transfer.subject_ref == subject_ref, Transfer.status != "withdrawn")
        .order_by(Transfer.created_at.desc(), Transfer.id.desc())
    )
    return [t for t in session.scalars(query) if waits_for_inzage(edges.catalog, t.purpose)]


def read(
    session: Session, *, transfer_id: str, requester: Requester, ctx: ActContext, edges: Edges
) -> DossierView:
    """The whole dossier as the school sent it, for the parents' inzage; on record."""
    transfer = _of_pupil(session, transfer_id, requester, ctx, edges, action="transfer.read")
    decision = _decide(session, transfer, requester, ctx, edges, action="transfer.read")
    plaintext = open_sealed(session, transfer, "dossier", transfer.dossier, edges)
    content = formats.release(transfer.format, plaintext, decision.released, as_xml=False)
    zienswijze = None
    if transfer.zienswijze is not None:
        zienswijze = open_sealed(
            session, transfer, "zienswijze", transfer.zienswijze, edges
        ).decode()
    _log(session, ctx, edges, transfer, decision, "transfer.read", decision.released)
    held_by = parties(session, transfer)
    return DossierView(
        transfer, held_by.sender.name, held_by.recipient.name, dict(content), zienswijze
    )


def record(
    session: Session,
    *,
    transfer_id: str,
    requester: Requester,
    akkoord: bool,
    zienswijze: str | None,
    today: date,
    ctx: ActContext,
    edges: Edges,
) -> Transfer:
    """The parents had inzage: the dossier may go, with their zienswijze attached."""
    action = "transfer.inzage"
    transfer = _of_pupil(session, transfer_id, requester, ctx, edges, action=action)
    if transfer.status not in OPEN_FOR_INZAGE:
        error = Conflict("Inzage can no longer change for this dossier.", code="invalid_transition")
        with _attempt(ctx, edges, action, transfer) as act:
            act.owner = transfer.sender_org_id
            raise error
    decision = _decide(session, transfer, requester, ctx, edges, action=action)
    body = InzageIn(date=today, akkoord=akkoord, zienswijze=zienswijze or None)
    make_available(session, transfer, body, edges)
    _log(session, ctx, edges, transfer, decision, action, frozenset())
    return transfer


def _attempt(
    ctx: ActContext, edges: Edges, action: str, transfer: Transfer | None
) -> audit.AttemptScope:
    return audit.attempt(
        ctx,
        action=action,
        policy_version=edges.catalog.version,
        now=edges.now,
        subject_ref=transfer.subject_ref if transfer else None,
        object_id=transfer.id if transfer else None,
    )


def _of_pupil(
    session: Session,
    transfer_id: str,
    requester: Requester,
    ctx: ActContext,
    edges: Edges,
    *,
    action: str,
) -> Transfer:
    """The requester's pupil's dossier that waits for inzage; else 404, on record."""
    transfer = session.get(Transfer, transfer_id)
    if (
        transfer is None
        or transfer.subject_ref != requester.subject_ref
        or transfer.status == "withdrawn"
        or not waits_for_inzage(edges.catalog, transfer.purpose)
    ):
        # Another pupil's dossier stays out of this pupil's log; its sender sees the try.
        mine = transfer if transfer and transfer.subject_ref == requester.subject_ref else None
        with _attempt(ctx, edges, action, mine) as act:
            act.owner = transfer.sender_org_id if transfer else None
            raise NotFound("No such dossier for this child.")
    return transfer


def _decide(
    session: Session,
    transfer: Transfer,
    requester: Requester,
    ctx: ActContext,
    edges: Edges,
    *,
    action: str,
) -> Decision:
    """AVG art. 15 for this requester, this pupil's age and this sender; a deny is logged."""
    sender = parties(session, transfer).sender
    request = Request(
        sender_kind=sender.kind,
        recipient_kind=DATA_SUBJECT,
        purpose=RIGHTS_PURPOSE,
        categories=frozenset(transfer.categories),
        subject_age=requester.age,
        requester=requester.relation,
        action="release",
        record_purpose=transfer.purpose,
    )
    return enforce(
        edges.catalog,
        request,
        ctx,
        action=action,
        now=edges.now,
        subject_ref=transfer.subject_ref,
        object_id=transfer.id,
        owner=transfer.sender_org_id,
    )


def _log(
    session: Session,
    ctx: ActContext,
    edges: Edges,
    transfer: Transfer,
    decision: Decision,
    action: str,
    categories: frozenset[str],
) -> None:
    event = AuditEvent.of(
        ctx,
        action=action,
        decision=decision,
        subject_ref=transfer.subject_ref,
        object_id=transfer.id,
        categories=categories,
    )
    # The sending school's privacy officer sees what the parents did with its dossier.
    audit.append(session, replace(event, owner=transfer.sender_org_id), now=edges.now)
