"""Parents' inzage from the portal: read a waiting dossier, record inzage and zienswijze.

The parent (from 16 the pupil) exercises the right of access of AVG art. 15; the
catalog decides it as the flow `rechten.inzage`, with the sending organisation's kind
and the pupil's age, and every act is written to the audit log in the same transaction:
org the portal, actor the person's pseudonym, role parent or pupil.

Recording inzage here does what the sending school's `POST /v1/transfers/{id}/inzage`
does: the dossier becomes available to the receiving school, with the zienswijze
attached (sealed); a zienswijze is never a veto.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import enforce
from gateway.core.context import ActContext, Principal
from gateway.core.errors import Conflict, NotFound
from gateway.transfers import formats
from gateway.transfers.acts import Edges, apply_inzage, open_sealed, parties, waits_for_inzage
from gateway.transfers.models import Transfer
from gateway.transfers.schemas import InzageIn
from gateway.web.children import Child
from policies.model import Decision, Request

PORTAL_ORG = "portaal"
RIGHTS_PURPOSE = "rechten.inzage"
OPEN_FOR_INZAGE = ("awaiting_inzage", "available")


@dataclass(frozen=True, slots=True)
class DossierView:
    transfer: Transfer
    sender_name: str
    recipient_name: str
    dossier: dict[str, Any]
    zienswijze: str | None


def portal_context(*, person_ref: str, role: str, purpose: str, request_id: str) -> ActContext:
    """The acting context of a person in the portal: the portal is the organisation."""
    principal = Principal(
        org_id=PORTAL_ORG, org_kind="data_subject", client_id=PORTAL_ORG, scopes=frozenset()
    )
    return ActContext(
        principal=principal,
        purpose=purpose,
        actor=person_ref,
        actor_role=role,
        request_id=request_id,
    )


def dossiers(session: Session, *, subject_ref: str, edges: Edges) -> list[Transfer]:
    """The pupil's dossiers that parents see before they go, newest first."""
    query = (
        select(Transfer)
        .where(Transfer.subject_ref == subject_ref, Transfer.status != "withdrawn")
        .order_by(Transfer.created_at.desc())
        .limit(100)
    )
    return [t for t in session.scalars(query) if waits_for_inzage(edges.catalog, t.purpose)]


def read(
    session: Session, *, transfer_id: str, child: Child, ctx: ActContext, edges: Edges
) -> DossierView:
    """The whole dossier as the school sent it, for the parents' inzage; on record."""
    transfer = _of_child(session, transfer_id, child, edges)
    decision = _decide(session, transfer, child, ctx, edges, action="transfer.read")
    plaintext = open_sealed(session, transfer, "dossier", transfer.dossier, edges)
    content = formats.release(transfer.format, plaintext, decision.released, as_xml=False)
    zienswijze = None
    if transfer.zienswijze is not None:
        zienswijze = open_sealed(
            session, transfer, "zienswijze", transfer.zienswijze, edges
        ).decode()
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
    held_by = parties(session, transfer)
    return DossierView(
        transfer, held_by.sender.name, held_by.recipient.name, dict(content), zienswijze
    )


def record_inzage(
    session: Session,
    *,
    transfer_id: str,
    child: Child,
    akkoord: bool,
    zienswijze: str | None,
    today: date,
    ctx: ActContext,
    edges: Edges,
) -> Transfer:
    """The parents had inzage: the dossier may go, with their zienswijze attached."""
    transfer = _of_child(session, transfer_id, child, edges)
    if transfer.status not in OPEN_FOR_INZAGE:
        raise Conflict("Inzage can no longer change for this dossier.", code="invalid_transition")
    decision = _decide(session, transfer, child, ctx, edges, action="transfer.inzage")
    body = InzageIn(date=today, akkoord=akkoord, zienswijze=zienswijze or None)
    apply_inzage(session, transfer, body, edges)
    transfer.status, transfer.updated_at = "available", edges.now
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


def _of_child(session: Session, transfer_id: str, child: Child, edges: Edges) -> Transfer:
    transfer = session.get(Transfer, transfer_id)
    if (
        transfer is None
        or transfer.subject_ref != child.subject_ref
        or transfer.status == "withdrawn"
        or not waits_for_inzage(edges.catalog, transfer.purpose)
    ):
        raise NotFound("No such dossier for this child.")
    return transfer


def _decide(
    session: Session,
    transfer: Transfer,
    child: Child,
    ctx: ActContext,
    edges: Edges,
    *,
    action: str,
) -> Decision:
    """AVG art. 15 for this requester, this pupil's age and this sender; a deny is logged."""
    sender = parties(session, transfer).sender
    request = Request(
        sender_kind=sender.kind,
        recipient_kind="data_subject",
        purpose=RIGHTS_PURPOSE,
        categories=frozenset(transfer.categories),
        subject_age=child.age,
        requester=child.relation,
        action="release",
    )
    return enforce(
        edges.catalog,
        request,
        ctx,
        action=action,
        now=edges.now,
        subject_ref=transfer.subject_ref,
        object_id=transfer.id,
    )
