"""Pushing a dossier: JSON or OSO XML, decided before anything is stored."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from connectors.oso import RuleCheck
from connectors.oso.parser import Examined
from connectors.oso.rules import check as check_rules
from consent.period import today
from gateway.audit import reviews
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import PolicyDenied, catalog_names, enforce
from gateway.core.context import ActContext
from gateway.core.db import insert_row
from gateway.core.errors import Unprocessable
from gateway.crypto.envelope import Envelope, FreshKey
from gateway.edges import Edges
from gateway.orgs import service as orgs
from gateway.subjects import service as subjects
from gateway.subjects.schemas import SubjectIn
from gateway.transfers import formats
from gateway.transfers.acts import (
    NO_FACTS,
    apply_inzage,
    build_request,
    key_scope,
    waits_for_inzage,
)
from gateway.transfers.facts import (
    absence_facts,
    check_meldcode,
    melding_misfits,
    skipped_steps,
)
from gateway.transfers.inzage import notify_available
from gateway.transfers.models import Transfer
from gateway.transfers.relation import knows, related, relation_for
from gateway.transfers.schemas import ActFacts, InzageIn, TransferCreate
from policies.model import Decision


@dataclass(frozen=True, slots=True)
class Prepared:
    """A push decided and sealed under its own fresh data key: what is left is to store
    it, with the key's row.

    Preparing only reads, so it runs before the write transaction (on SQLite, before the
    one write lock); `store` then writes what the preparation could not.
    """

    transfer: Transfer
    decision: Decision
    subject: SubjectIn
    # The record exists and agrees with the statement: nothing to write about the pupil.
    subject_known: bool
    key: FreshKey
    payload: bytes
    facts: ActFacts
    inzage: InzageIn | None
    categories: frozenset[str]


def push_json(
    session: Session, *, body: TransferCreate, ctx: ActContext, edges: Edges
) -> tuple[Transfer, Decision]:
    """The whole push in one transaction."""
    return store(session, prepare_json(session, body=body, ctx=ctx, edges=edges), ctx, edges)


def push_oso(
    session: Session, *, raw: bytes, recipient_id: str, ctx: ActContext, edges: Edges
) -> tuple[Transfer, Decision]:
    prepared = prepare_oso(session, raw=raw, recipient_id=recipient_id, ctx=ctx, edges=edges)
    return store(session, prepared, ctx, edges)


def prepare_json(
    session: Session, *, body: TransferCreate, ctx: ActContext, edges: Edges
) -> Prepared:
    payload = json.dumps(body.dossier, separators=(",", ":")).encode()
    return _prepare(
        session,
        recipient_id=body.recipient,
        subject=body.subject,
        categories=catalog_names(edges.catalog, body.dossier),
        fmt="json",
        payload=payload,
        inzage=body.inzage,
        facts=body.facts(),
        ctx=ctx,
        edges=edges,
        fields=body.dossier,
    )


def prepare_oso(
    session: Session,
    *,
    raw: bytes,
    recipient_id: str,
    ctx: ActContext,
    edges: Edges,
    subject_ref: str | None = None,
    rules: RuleCheck = check_rules,
    examined: Examined | None = None,
    recipient_kind: str | None = None,
) -> Prepared:
    """An OSO dossier: subject and categories are read from the validated XML, or for a
    passend-onderwijs dossier without BSN the subject from the sender's own `subject_ref`
    (`formats.oso_pupil`). The XML stored and handed on is the one received, so what the
    SWV reads never gains a BSN. The dossier's own inzage block is what the school
    system recorded; the gateway waits for inzage of the dossier as it was received
    here (`/inzage` or portal). `rules`: where the standard's business rules run (the
    bulk import reads the dossier ahead, `examined`).
    """
    dossier = formats.parse_oso(raw, rules=rules, catalog=edges.catalog, examined=examined)
    subject = formats.oso_pupil(session, dossier, subject_ref, ctx=ctx, edges=edges)
    return _prepare(
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
        recipient_kind=recipient_kind,
    )


def _prepare(
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
    fields: Mapping[str, Any] | None = None,
    recipient_kind: str | None = None,
) -> Prepared:
    subject_ref = edges.keyring.pseudonyms.subject_ref(subject.bsn)
    with _attempt(ctx, edges) as act:
        recipient_kind = recipient_kind or orgs.kind_of(session, recipient_id)
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
        if facts.meldcode is not None and not _break_glass(edges, ctx.purpose):
            raise Unprocessable(
                "Meldcode facts belong to a report under the meldcode only.",
                code="meldcode_not_applicable",
            )
        act.subject_ref = subject_ref
        check_meldcode(facts.meldcode)
        if fields is not None:
            facts = absence_facts(facts, fields, edges.catalog)
        standing = _standing(session, ctx, edges, recipient_kind, subject_ref)
        known = None
        if standing is not False:
            # Only a sender that holds the pupil's facts already learns of a conflict: a
            # stranger on a flow open to anyone (the meldcode) must not, nor a school
            # whose standing is an aanmelding it registered on its own say.
            discreet = not knows(session, ctx, edges, subject_ref)
            known = subjects.agreed(
                session, subject, ctx=ctx, standing=edges.standing, act=act, discreet=discreet
            )
    transfer = _new_transfer(ctx, recipient_id, subject_ref, fmt, categories, edges)
    request = build_request(
        session,
        transfer,
        edges,
        action="send",
        sender_kind=ctx.org_kind,
        recipient_kind=recipient_kind,
        age=subject.age_on(today(edges.now)),
        inzage=inzage is not None,
        facts=facts,
        sender_related=bool(standing),
    )
    try:
        decision = enforce(
            edges.catalog,
            request,
            ctx,
            action="transfer.send",
            now=edges.now,
            subject_ref=subject_ref,
            # A stranger's attempt is on the record of the school whose pupil it is too:
            # its privacy officer sees who tried to send about the pupil.
            owner=subjects.school_of_record(session, subject_ref, edges.authority)
            if standing is False
            else None,
        )
    except PolicyDenied as denied:
        # A melding that does not fit its fields states no hours: the threshold's deny
        # would name the wrong rule. Any other deny (flow, party, consent) comes first.
        misfit = fields is not None and melding_misfits(fields, edges.catalog)
        if denied.code == "below_threshold" and fields is not None and misfit:
            _check_fields(fields, categories, subject_ref, ctx, edges)
        raise
    if fields is not None:
        _check_fields(fields, categories, subject_ref, ctx, edges)
    transfer.retention, transfer.policy_version = decision.retention, decision.policy_version
    if waits_for_inzage(edges.catalog, ctx.purpose) and inzage is None:
        transfer.status = "awaiting_inzage"
    key = edges.keyring.envelope.fresh_key(
        subject_ref=subject_ref, purpose=ctx.purpose, scope=key_scope(transfer.id), now=edges.now
    )
    _seal(transfer, payload, facts, inzage, partial(_seal_with, key.key, transfer))
    return Prepared(
        transfer,
        decision,
        subject,
        known is not None,
        key,
        payload,
        facts,
        inzage,
        categories,
    )


def store(
    session: Session, prepared: Prepared, ctx: ActContext, edges: Edges
) -> tuple[Transfer, Decision]:
    """Writes a prepared push: the pupil where new, the transfer, its log line."""
    transfer, decision = prepared.transfer, prepared.decision
    if not prepared.subject_known:
        with _attempt(ctx, edges) as act:
            act.subject_ref = transfer.subject_ref
            subjects.resolve(session, prepared.subject, ctx=ctx, standing=edges.standing, act=act)
    Envelope.store(session, prepared.key)
    insert_row(session, transfer)
    if transfer.status == "available":
        notify_available(session, transfer, edges)
    meldcode = prepared.facts.meldcode
    if meldcode is not None:
        reviews.open_review(
            session,
            org_id=ctx.org_id,
            actor=ctx.actor,
            purpose=ctx.purpose,
            object_id=transfer.id,
            subject_ref=transfer.subject_ref,
            parents_told=meldcode.parents_told,
            skipped_steps=sorted(skipped_steps(meldcode)),
            now=edges.now,
        )
    event = AuditEvent.of(
        ctx,
        action="transfer.send",
        decision=decision,
        subject_ref=transfer.subject_ref,
        object_id=transfer.id,
        categories=prepared.categories,
    )
    audit.append(session, event, now=edges.now)
    return transfer, decision


def _check_fields(
    dossier: Mapping[str, Any],
    categories: frozenset[str],
    subject_ref: str,
    ctx: ActContext,
    edges: Edges,
) -> None:
    """A JSON dossier's categories hold only the fields the catalog gives them.

    Judged after the decision, so a category the flow refuses is named as such; the
    refusal is on record like any other, with the paths and never the values.
    """
    misfits = edges.catalog.misfits(dossier)
    if not misfits:
        return
    with _attempt(ctx, edges) as act:
        act.subject_ref, act.categories = subject_ref, categories
        where = "; ".join(f"{m.path} {m.problem}" for m in misfits)
        raise Unprocessable(
            f"The dossier does not fit the fields the catalog gives its categories: {where}.",
            code="category_invalid",
            extra={"invalid": [m.to_dict() for m in misfits]},
        )


def _standing(
    session: Session, ctx: ActContext, edges: Edges, recipient_kind: str, subject_ref: str
) -> bool | None:
    """The sender's standing with the pupil, where its flow asks for one; None: it does not.

    Looked up before the pupil's record is read: a sender without standing is refused on
    that alone (`sender_not_related`), never with what the record holds (a conflict
    would tell a stranger that the pupil is known, and with which facts).
    """
    flow = edges.catalog.flow_for_purpose(ctx.purpose)
    if flow is None:  # no flow: denied on that, and nothing is read about the pupil
        return False
    if "sender_related" not in flow.preconditions.get("send", ()):
        return None
    relation = relation_for(
        edges.catalog, purpose=ctx.purpose, sender_kind=ctx.org_kind, recipient_kind=recipient_kind
    )
    return related(
        session, relation, org_id=ctx.org_id, subject_ref=subject_ref, purpose=ctx.purpose
    )


def _break_glass(edges: Edges, purpose: str) -> bool:
    flow = edges.catalog.flow_for_purpose(purpose)
    return flow is not None and flow.break_glass


def _attempt(ctx: ActContext, edges: Edges) -> audit.AttemptScope:
    return audit.attempt(
        ctx, action="transfer.send", policy_version=edges.catalog.version, now=edges.now
    )


def _seal_with(key: tuple[str, bytes], transfer: Transfer, field: str, data: bytes) -> bytes:
    return Envelope.seal_with(
        key, record_id=f"{transfer.id}/{field}", purpose=transfer.purpose, plaintext=data
    )


def _seal(
    transfer: Transfer,
    payload: bytes,
    facts: ActFacts,
    inzage: InzageIn | None,
    sealer: Callable[[str, bytes], bytes],
) -> None:
    transfer.dossier = sealer("dossier", payload)
    if facts != NO_FACTS:
        transfer.context = sealer("context", facts.model_dump_json().encode())
    if inzage:
        apply_inzage(transfer, inzage, sealer)


def _new_transfer(
    ctx: ActContext,
    recipient_id: str,
    subject_ref: str,
    fmt: str,
    categories: frozenset[str],
    edges: Edges,
) -> Transfer:
    return Transfer(
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
