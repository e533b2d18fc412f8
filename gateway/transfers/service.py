"""Transfers: push, inzage, read and acknowledge, each decided and logged.

One machinery carries every transfer-type flow of the catalog: the warme overdracht
(the recipient sees nothing until the parents' inzage is recorded), TLV requests and
decisions, verzuimmeldingen, referrals and feedback with the wijkteam, and the
break-glass meldcode report to Veilig Thuis. The sender pushes; the gateway holds
the dossier sealed; the recipient reads only what the flow releases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.core import paging
from gateway.core.context import ActContext
from gateway.core.errors import Conflict, NotFound, Unprocessable
from gateway.core.paging import Page
from gateway.edges import Edges
from gateway.transfers import formats, listed
from gateway.transfers.acts import decide, open_sealed, seal
from gateway.transfers.inzage import make_available
from gateway.transfers.models import Transfer
from gateway.transfers.push import (
    Prepared,
    prepare_json,
    prepare_oso,
    push_json,
    push_oso,
    store,
)
from gateway.transfers.schemas import AcknowledgeIn, InzageIn
from policies.model import Decision

__all__ = [
    "Edges",
    "Prepared",
    "acknowledge",
    "listing",
    "prepare_json",
    "prepare_oso",
    "push_json",
    "push_oso",
    "read",
    "record_inzage",
    "store",
]
RELEASABLE = ("available", "received", "acknowledged")


@dataclass(frozen=True, slots=True)
class Released:
    transfer: Transfer
    decision: Decision
    dossier: dict[str, Any] | bytes
    zienswijze: str | None


def record_inzage(
    session: Session, *, transfer_id: str, body: InzageIn, ctx: ActContext, edges: Edges
) -> Transfer:
    """The sender records that the parents had inzage; the dossier becomes available."""
    with _attempt(ctx, edges, "transfer.inzage") as act:
        transfer = _owned(session, act, transfer_id, sender=ctx.org_id)
        if transfer.status not in ("awaiting_inzage", "available"):
            raise Conflict(
                "Inzage can no longer change for this transfer.", code="invalid_transition"
            )
    decision = decide(
        session, transfer, ctx, edges, action="send", inzage=True, audit_action="transfer.inzage"
    )
    make_available(session, transfer, body, edges)
    audit.append(
        session,
        AuditEvent.of(
            ctx,
            action="transfer.inzage",
            decision=decision,
            subject_ref=transfer.subject_ref,
            object_id=transfer.id,
            categories=frozenset(),
        ),
        now=edges.now,
    )
    return transfer


def read(
    session: Session, *, transfer_id: str, ctx: ActContext, edges: Edges, as_xml: bool
) -> Released:
    """The recipient reads: only the released categories, and only after inzage."""
    with _attempt(ctx, edges, "transfer.read") as act:
        transfer = _owned(session, act, transfer_id, recipient=ctx.org_id)
        if transfer.status == "withdrawn":
            raise Conflict("The sender withdrew this transfer.", code="transfer_withdrawn")
        if as_xml and transfer.format != "oso":
            raise Unprocessable(
                "This dossier was not sent as OSO XML.", code="not_acceptable", status=406
            )
    decision = decide(
        session,
        transfer,
        ctx,
        edges,
        action="release",
        inzage=transfer.status in RELEASABLE,
        audit_action="transfer.read",
    )
    plaintext = open_sealed(session, transfer, "dossier", transfer.dossier, edges)
    dossier = formats.release(transfer.format, plaintext, decision.released, as_xml=as_xml)
    zienswijze = None
    if transfer.zienswijze is not None:
        zienswijze = open_sealed(
            session, transfer, "zienswijze", transfer.zienswijze, edges
        ).decode()
    if transfer.status == "available":
        transfer.status, transfer.updated_at = "received", edges.now
    audit.append(
        session,
        AuditEvent.of(
            ctx,
            action="transfer.read",
            decision=decision,
            subject_ref=transfer.subject_ref,
            object_id=transfer.id,
        ),
        now=edges.now,
    )
    return Released(transfer, decision, dossier, zienswijze)


def acknowledge(
    session: Session, *, transfer_id: str, body: AcknowledgeIn, ctx: ActContext, edges: Edges
) -> Transfer:
    """The recipient confirms the warm handover conversation took place."""
    with _attempt(ctx, edges, "transfer.acknowledge") as act:
        transfer = _owned(session, act, transfer_id, recipient=ctx.org_id)
        if transfer.status not in ("received", "acknowledged"):
            raise Conflict(
                "Read the dossier before confirming the handover.", code="invalid_transition"
            )
    decision = decide(
        session,
        transfer,
        ctx,
        edges,
        action="release",
        inzage=True,
        categories=frozenset(),
        audit_action="transfer.acknowledge",
    )
    transfer.conversation_date = body.conversation_date
    if body.notes is not None:
        transfer.notes = seal(session, transfer, "notes", body.notes.encode(), edges=edges)
    transfer.status, transfer.updated_at = "acknowledged", edges.now
    audit.append(
        session,
        AuditEvent.of(
            ctx,
            action="transfer.acknowledge",
            decision=decision,
            subject_ref=transfer.subject_ref,
            object_id=transfer.id,
        ),
        now=edges.now,
    )
    return transfer


def listing(
    session: Session,
    *,
    ctx: ActContext,
    edges: Edges,
    box: str,
    cursor: str | None = None,
    limit: int = paging.DEFAULT_LIMIT,
) -> Page[Transfer]:
    """Inbox or outbox, newest first, without content; a recipient never sees what
    awaits inzage. A page that holds anything is on the audit log (`gateway.transfers.listed`),
    under an exchange's purpose: any other is refused (422 `unknown_purpose`), on record.

    Keyset on (created_at, id): transfers pushed in the same instant are still
    ordered, and one arriving while someone pages on never shifts a page.
    """
    with _attempt(ctx, edges, listed.ACTION):
        listed.check_purpose(ctx, edges.catalog)
    query = (
        select(Transfer).order_by(Transfer.created_at.desc(), Transfer.id.desc()).limit(limit + 1)
    )
    if cursor is not None:
        created_at, transfer_id = paging.decode(cursor, datetime, str)
        query = query.where(
            or_(
                Transfer.created_at < created_at,
                and_(Transfer.created_at == created_at, Transfer.id < transfer_id),
            )
        )
    if box == "inbox":
        query = query.where(
            Transfer.recipient_org_id == ctx.org_id, Transfer.status != "awaiting_inzage"
        )
    else:
        query = query.where(Transfer.sender_org_id == ctx.org_id)
    rows = list(session.scalars(query))
    page = paging.page_of(rows, limit, lambda transfer: (transfer.created_at, transfer.id))
    if page.items:
        audit.append(session, listed.event(ctx, edges.catalog, box, page.items), now=edges.now)
    return page


def _attempt(ctx: ActContext, edges: Edges, action: str) -> audit.AttemptScope:
    return audit.attempt(ctx, action=action, policy_version=edges.catalog.version, now=edges.now)


def _owned(
    session: Session,
    act: audit.Attempt,
    transfer_id: str,
    *,
    sender: str | None = None,
    recipient: str | None = None,
) -> Transfer:
    """The transfer if the caller is the party named; else 404, the same answer as for an
    id that never existed, and the attempt on record for the sender's privacy officer."""
    transfer = session.get(Transfer, transfer_id)
    # An id that names nothing is not logged: it is the caller's text, not ours.
    if transfer is not None:
        act.subject_ref, act.object_id = transfer.subject_ref, transfer.id
        act.owner = transfer.sender_org_id
    if (
        transfer is None
        or (sender is not None and transfer.sender_org_id != sender)
        or (recipient is not None and transfer.recipient_org_id != recipient)
    ):
        raise NotFound("No such transfer.")
    return transfer
