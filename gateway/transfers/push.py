"""Pushing a dossier: JSON or OSO XML, decided before anything is stored."""

from __future__ import annotations

import json
import secrets

from sqlalchemy.orm import Session

from gateway.audit import reviews
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import enforce
from gateway.core.context import ActContext
from gateway.core.db import insert_row
from gateway.core.errors import Unprocessable
from gateway.edges import Edges
from gateway.orgs import service as orgs
from gateway.subjects import service as subjects
from gateway.subjects.schemas import SubjectIn
from gateway.transfers import formats
from gateway.transfers.acts import (
    NO_FACTS,
    apply_inzage,
    build_request,
    seal,
    waits_for_inzage,
)
from gateway.transfers.models import Transfer
from gateway.transfers.schemas import ActFacts, InzageIn, TransferCreate
from policies.model import Decision


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
        facts=body.facts(),
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
    dossier = formats.parse_oso(raw)
    subject = formats.oso_subject(dossier, today=edges.now.date())
    return _push(
        session,
        recipient_id=recipient_id,
        subject=subject,
        categories=dossier.categories,
        fmt="oso",
        payload=raw,
        inzage=None,
        facts=NO_FACTS,
        ctx=ctx,
        edges=edges,
        oso_profile=dossier.profile,
    )


def _push(
    session: Session,
    *,
    recipient_id: str,
    subject: SubjectIn,
    categories: frozenset[str],
    fmt: str,
    payload: bytes,
    inzage: InzageIn | None,
    facts: ActFacts,
    ctx: ActContext,
    edges: Edges,
    oso_profile: str | None = None,
) -> tuple[Transfer, Decision]:
    with audit.attempt(
        ctx, action="transfer.send", policy_version=edges.catalog.version, now=edges.now
    ) as act:
        recipient_kind = orgs.kind_of(session, recipient_id)
        if recipient_kind is None:
            raise Unprocessable(
                "The recipient is not a registered organisation.", code="unknown_recipient"
            )
        if oso_profile is not None:
            formats.check_profile(
                edges.catalog,
                purpose=ctx.purpose,
                sender_kind=ctx.org_kind,
                recipient_kind=recipient_kind,
                profile=oso_profile,
            )
        act.subject_ref = edges.keyring.pseudonyms.subject_ref(subject.bsn)
        subject_ref = subjects.resolve(session, subject, ctx=ctx, standing=edges.standing, act=act)
    transfer = Transfer(
        id="tr_" + secrets.token_hex(10),
        purpose=ctx.purpose,
        sender_org_id=ctx.org_id,
        recipient_org_id=recipient_id,
        subject_ref=subject_ref,
        status="available",
        format=fmt,
        categories=sorted(categories),
        dossier=b"",
        inzage_date=None,
        inzage_akkoord=None,
        zienswijze=None,
        conversation_date=None,
        notes=None,
        context=None,
        retention=None,
        policy_version="",
        created_at=edges.now,
        updated_at=edges.now,
    )
    request = build_request(
        session,
        transfer,
        edges,
        action="send",
        sender_kind=ctx.org_kind,
        recipient_kind=recipient_kind,
        age=subject.age_on(edges.now.date()),
        inzage=inzage is not None,
        facts=facts,
    )
    decision = enforce(
        edges.catalog, request, ctx, action="transfer.send", now=edges.now, subject_ref=subject_ref
    )
    transfer.retention, transfer.policy_version = decision.retention, decision.policy_version
    if waits_for_inzage(edges.catalog, ctx.purpose) and inzage is None:
        transfer.status = "awaiting_inzage"
    transfer.dossier = seal(session, transfer, "dossier", payload, edges)
    if facts != NO_FACTS:
        transfer.context = seal(
            session, transfer, "context", facts.model_dump_json().encode(), edges
        )
    if inzage:
        apply_inzage(session, transfer, inzage, edges)
    insert_row(session, transfer)
    if facts.meldcode is not None:
        reviews.open_review(
            session,
            org_id=ctx.org_id,
            actor=ctx.actor,
            purpose=ctx.purpose,
            object_id=transfer.id,
            subject_ref=subject_ref,
            parents_told=facts.meldcode.parents_told,
            now=edges.now,
        )
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
