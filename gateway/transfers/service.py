"""Warme overdracht: push, inzage, read and acknowledge, each decided and logged.

The sender pushes; the gateway holds the dossier sealed. The recipient sees nothing
until the parents' inzage is recorded, then reads only what the flow releases, and
confirms the warm handover conversation.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.oso import OsoDossier, OsoError, filter_dossier, parse_dossier, to_json
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import enforce
from gateway.core.context import ActContext
from gateway.core.errors import Conflict, NotFound, Unprocessable
from gateway.crypto.keyring import Keyring
from gateway.enrolments import service as enrolments
from gateway.orgs.models import Organisation
from gateway.subjects import service as subjects
from gateway.subjects.schemas import SubjectIn
from gateway.transfers.models import Transfer
from gateway.transfers.schemas import AcknowledgeIn, InzageIn, TransferCreate
from policies.catalog import Catalog
from policies.model import Action, Decision, Preconditions, Request

RELEASABLE = ("available", "received", "acknowledged")


@dataclass(frozen=True, slots=True)
class Edges:
    """What every transfer act needs besides the session."""

    catalog: Catalog
    keyring: Keyring
    now: datetime


@dataclass(frozen=True, slots=True)
class Released:
    transfer: Transfer
    decision: Decision
    dossier: dict[str, Any] | bytes
    zienswijze: str | None


def push_json(
    session: Session, *, body: TransferCreate, ctx: ActContext, edges: Edges
) -> tuple[Transfer, Decision]:
    payload = json.dumps(body.dossier, separators=(",", ":")).encode()
    return _push(
        session,
        recipient_id=body.recipient,
        subject=body.subject,
        categories=frozenset(body.dossier),
        fmt="json",
        payload=payload,
        inzage=body.inzage,
        ctx=ctx,
        edges=edges,
    )


def push_oso(
    session: Session, *, raw: bytes, recipient_id: str, ctx: ActContext, edges: Edges
) -> tuple[Transfer, Decision]:
    """An OSO dossier: subject and categories are read from the validated XML.

    The dossier's own inzage block is what the school system recorded; the gateway
    waits for inzage of the dossier as it was received here (`/inzage` or portal).
    """
    dossier = _parse(raw)
    if dossier.bsn is None or dossier.birth_date is None:
        raise Unprocessable(
            "The dossier names no pupil by BSN and birth date.", code="invalid_dossier"
        )
    subject = SubjectIn(
        bsn=dossier.bsn,
        birth_date=dossier.birth_date,
        given_name=dossier.given_name,
        family_name=dossier.family_name,
    )
    return _push(
        session,
        recipient_id=recipient_id,
        subject=subject,
        categories=dossier.categories,
        fmt="oso",
        payload=raw,
        inzage=None,
        ctx=ctx,
        edges=edges,
    )


def _parse(raw: bytes) -> OsoDossier:
    try:
        return parse_dossier(raw)
    except OsoError as exc:
        raise Unprocessable(
            f"The OSO dossier is not valid: {exc.reason}.", code="invalid_dossier"
        ) from exc


def _push(
    session: Session,
    *,
    recipient_id: str,
    subject: SubjectIn,
    categories: frozenset[str],
    fmt: str,
    payload: bytes,
    inzage: InzageIn | None,
    ctx: ActContext,
    edges: Edges,
) -> tuple[Transfer, Decision]:
    recipient = session.get(Organisation, recipient_id)
    if recipient is None:
        raise Unprocessable(
            "The recipient is not a registered organisation.", code="unknown_recipient"
        )
    subject_ref = subjects.resolve(session, subject, keyring=edges.keyring, now=edges.now)
    enrolled = enrolments.active(
        session, org_id=recipient.id, subject_ref=subject_ref, purpose=ctx.purpose
    )
    request = Request(
        sender_kind=ctx.org_kind,
        recipient_kind=recipient.kind,
        purpose=ctx.purpose,
        categories=categories,
        subject_age=subject.age_on(edges.now.date()),
        preconditions=Preconditions(aanmelding=enrolled is not None, inzage=inzage is not None),
        action="send",
    )
    decision = enforce(
        edges.catalog, request, ctx, action="transfer.send", now=edges.now, subject_ref=subject_ref
    )
    transfer = Transfer(
        id="tr_" + secrets.token_hex(10),
        purpose=ctx.purpose,
        sender_org_id=ctx.org_id,
        recipient_org_id=recipient.id,
        subject_ref=subject_ref,
        status="available" if inzage else "awaiting_inzage",
        format=fmt,
        categories=sorted(categories),
        dossier=b"",
        inzage_date=None,
        inzage_akkoord=None,
        zienswijze=None,
        conversation_date=None,
        notes=None,
        retention=decision.retention,
        policy_version=decision.policy_version,
        created_at=edges.now,
        updated_at=edges.now,
    )
    transfer.dossier = _seal(session, transfer, "dossier", payload, edges)
    if inzage:
        _apply_inzage(session, transfer, inzage, edges)
    session.add(transfer)
    audit.append(
        session,
        AuditEvent.of(
            ctx,
            action="transfer.send",
            decision=decision,
            subject_ref=subject_ref,
            object_id=transfer.id,
            categories=categories,
        ),
        now=edges.now,
    )
    return transfer, decision


def record_inzage(
    session: Session, *, transfer_id: str, body: InzageIn, ctx: ActContext, edges: Edges
) -> Transfer:
    """The sender records that the parents had inzage; the dossier becomes available."""
    transfer = _owned(session, transfer_id, sender=ctx.org_id)
    if transfer.status not in ("awaiting_inzage", "available"):
        raise Conflict("Inzage can no longer change for this transfer.", code="invalid_transition")
    decision = _decide(
        session, transfer, ctx, edges, action="send", inzage=True, audit_action="transfer.inzage"
    )
    _apply_inzage(session, transfer, body, edges)
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


def read(
    session: Session, *, transfer_id: str, ctx: ActContext, edges: Edges, as_xml: bool
) -> Released:
    """The recipient reads: only the released categories, and only after inzage."""
    transfer = _owned(session, transfer_id, recipient=ctx.org_id)
    if transfer.status == "withdrawn":
        raise Conflict("The sender withdrew this transfer.", code="transfer_withdrawn")
    if as_xml and transfer.format != "oso":
        raise Unprocessable(
            "This dossier was not sent as OSO XML.", code="not_acceptable", status=406
        )
    decision = _decide(
        session,
        transfer,
        ctx,
        edges,
        action="release",
        inzage=transfer.status in RELEASABLE,
        audit_action="transfer.read",
    )
    plaintext = _open(session, transfer, "dossier", transfer.dossier, edges)
    dossier = _release(transfer.format, plaintext, decision.released, as_xml=as_xml)
    zienswijze = None
    if transfer.zienswijze is not None:
        zienswijze = _open(session, transfer, "zienswijze", transfer.zienswijze, edges).decode()
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
    transfer = _owned(session, transfer_id, recipient=ctx.org_id)
    if transfer.status not in ("received", "acknowledged"):
        raise Conflict(
            "Read the dossier before confirming the handover.", code="invalid_transition"
        )
    decision = _decide(
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
        transfer.notes = _seal(session, transfer, "notes", body.notes.encode(), edges)
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


def listing(session: Session, *, ctx: ActContext, box: str) -> list[Transfer]:
    """Inbox or outbox, without content; a recipient never sees what awaits inzage."""
    query = select(Transfer).order_by(Transfer.created_at.desc()).limit(500)
    if box == "inbox":
        query = query.where(
            Transfer.recipient_org_id == ctx.org_id, Transfer.status != "awaiting_inzage"
        )
    else:
        query = query.where(Transfer.sender_org_id == ctx.org_id)
    return list(session.scalars(query))


def _owned(
    session: Session, transfer_id: str, *, sender: str | None = None, recipient: str | None = None
) -> Transfer:
    transfer = session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFound("No such transfer.")
    if sender is not None and transfer.sender_org_id != sender:
        raise NotFound("No such transfer.")
    if recipient is not None and transfer.recipient_org_id != recipient:
        raise NotFound("No such transfer.")
    return transfer


def _decide(
    session: Session,
    transfer: Transfer,
    ctx: ActContext,
    edges: Edges,
    *,
    action: Action,
    inzage: bool,
    audit_action: str,
    categories: frozenset[str] | None = None,
) -> Decision:
    sender = session.get(Organisation, transfer.sender_org_id)
    recipient = session.get(Organisation, transfer.recipient_org_id)
    if sender is None or recipient is None:
        raise NotFound("No such transfer.")
    enrolled = enrolments.active(
        session, org_id=recipient.id, subject_ref=transfer.subject_ref, purpose=transfer.purpose
    )
    identity = subjects.identity(session, transfer.subject_ref, keyring=edges.keyring)
    request = Request(
        sender_kind=sender.kind,
        recipient_kind=recipient.kind,
        purpose=ctx.purpose,
        categories=frozenset(transfer.categories) if categories is None else categories,
        subject_age=identity.age_on(edges.now.date()) if identity else None,
        preconditions=Preconditions(aanmelding=enrolled is not None, inzage=inzage),
        action=action,
    )
    return enforce(
        edges.catalog,
        request,
        ctx,
        action=audit_action,
        now=edges.now,
        subject_ref=transfer.subject_ref,
        object_id=transfer.id,
        bound_purpose=transfer.purpose,
    )


def _release(fmt: str, plaintext: bytes, released: frozenset[str], *, as_xml: bool) -> Any:
    if fmt == "json":
        content = json.loads(plaintext)
        return {key: value for key, value in content.items() if key in released}
    dossier = parse_dossier(plaintext)
    return filter_dossier(dossier, released) if as_xml else to_json(dossier, released)


def _apply_inzage(session: Session, transfer: Transfer, inzage: InzageIn, edges: Edges) -> None:
    transfer.inzage_date, transfer.inzage_akkoord = inzage.date, inzage.akkoord
    if inzage.zienswijze:
        transfer.zienswijze = _seal(
            session, transfer, "zienswijze", inzage.zienswijze.encode(), edges
        )


def _seal(session: Session, transfer: Transfer, field: str, data: bytes, edges: Edges) -> bytes:
    return edges.keyring.envelope.seal(
        session,
        subject_ref=transfer.subject_ref,
        purpose=transfer.purpose,
        record_id=f"{transfer.id}/{field}",
        plaintext=data,
        now=edges.now,
    )


def _open(session: Session, transfer: Transfer, field: str, data: bytes, edges: Edges) -> bytes:
    return edges.keyring.envelope.open(
        session, record_id=f"{transfer.id}/{field}", purpose=transfer.purpose, ciphertext=data
    )
