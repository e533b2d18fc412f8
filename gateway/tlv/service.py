"""The SWV's TLV procedure: a request received, the experts' advice, the decision.

The pieces travel as transfers and stay sealed there; the procedure records which
transfers belong to it, which disciplines advised, and what was decided. The decision
itself goes to the school as a `tlv.besluit` transfer through the ordinary push, so it
is decided and logged like every other dossier, and the parents see it in the portal
as a beschikking with its objection route.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from consent.period import today
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import own_task_decision
from gateway.core import paging
from gateway.core.context import ActContext
from gateway.core.db import insert_row
from gateway.core.errors import Conflict, NotFound, Unprocessable
from gateway.core.paging import Page
from gateway.edges import Edges
from gateway.subjects import service as subjects
from gateway.subjects.schemas import ClientSubject
from gateway.tlv import retention
from gateway.tlv.models import Tlv, TlvAdvice
from gateway.tlv.schemas import AdviceIn, DecisionIn, TlvCreate
from gateway.transfers import service as transfers
from gateway.transfers.acts import decide, open_sealed
from gateway.transfers.models import Transfer
from gateway.transfers.schemas import TransferCreate
from policies.model import Decision

REQUEST, ADVICE, DECISION = "tlv.aanvraag", "tlv.advies", "tlv.besluit"
TLV_PURPOSES = (REQUEST, ADVICE, DECISION)
# WPO art. 18a, WVO art. 17a: the SWV hears at least two experts before it decides, one
# of them an orthopedagoog or a (GZ-)psycholoog (DOMAIN §3 row 17).
MIN_ADVICES = 2
ANCHOR_DISCIPLINES = frozenset({"orthopedagoog", "gz_psycholoog"})
# Awb art. 6:7: six weeks to object, from the day after the decision was made known.
OBJECTION_TERM = timedelta(weeks=6)
RELEASABLE = ("available", "received", "acknowledged")


def open_tlv(session: Session, *, body: TlvCreate, ctx: ActContext, edges: Edges) -> Tlv:
    """The SWV opens the procedure on a request it received."""
    with _attempt(ctx, edges, "tlv.open") as act:
        request = _received(session, act, body.request, ctx)
        if request.purpose != REQUEST:
            raise Unprocessable("The transfer is not a TLV request.", code="not_a_tlv_request")
        _available(request)
        taken = select(Tlv.id).where(Tlv.request_transfer_id == request.id)
        if session.scalars(taken).first() is not None:
            raise Conflict("A TLV is already open on this request.", code="tlv_exists")
    decision = decide(
        session,
        request,
        ctx,
        edges,
        action="release",
        inzage=True,
        categories=frozenset(),
        audit_action="tlv.open",
    )
    with _attempt(ctx, edges, "tlv.open") as act:
        act.subject_ref, act.object_id = request.subject_ref, request.id
        _parents_heard(session, request, edges)
    tlv = Tlv(
        id="tlv_" + secrets.token_hex(10),
        swv_org_id=ctx.org_id,
        school_org_id=request.sender_org_id,
        request_transfer_id=request.id,
        subject_ref=request.subject_ref,
        status="requested",
        outcome=None,
        category=None,
        valid_from=None,
        valid_until=None,
        decided_on=None,
        objection_until=None,
        decision_transfer_id=None,
        created_at=edges.now,
        updated_at=edges.now,
    )
    retention.stamp(tlv, edges.catalog)
    insert_row(session, tlv)
    _log(session, ctx, edges, "tlv.open", decision, tlv)
    return tlv


def record_advice(
    session: Session, *, tlv_id: str, body: AdviceIn, ctx: ActContext, edges: Edges
) -> tuple[Tlv, list[TlvAdvice]]:
    """Which expert advised, by the advice transfer the SWV received; never its text."""
    with _attempt(ctx, edges, "tlv.advice") as act:
        tlv = _of_swv(session, act, tlv_id, ctx)
        _undecided(tlv)
        advice = _received(session, act, body.transfer, ctx)
        act.subject_ref, act.object_id = tlv.subject_ref, tlv.id
        if advice.purpose != ADVICE:
            raise Unprocessable("The transfer is not an experts' advice.", code="not_an_advice")
        if advice.subject_ref != tlv.subject_ref:
            raise Unprocessable(
                "The advice is about another pupil than the TLV.", code="advice_other_pupil"
            )
        _available(advice)
        recorded = select(TlvAdvice.id).where(
            TlvAdvice.tlv_id == tlv.id, TlvAdvice.transfer_id == advice.id
        )
        if session.scalars(recorded).first() is not None:
            raise Conflict("This advice is already recorded.", code="advice_recorded")
    decision = decide(
        session,
        advice,
        ctx,
        edges,
        action="release",
        inzage=True,
        categories=frozenset(),
        audit_action="tlv.advice",
    )
    with _attempt(ctx, edges, "tlv.advice") as act:
        act.subject_ref, act.object_id = tlv.subject_ref, tlv.id
        if body.discipline not in _disciplines(session, advice, edges):
            raise Unprocessable(
                "The advice does not name an expert of this discipline.",
                code="discipline_not_in_advice",
            )
    row = TlvAdvice(
        id="adv_" + secrets.token_hex(10),
        tlv_id=tlv.id,
        transfer_id=advice.id,
        discipline=body.discipline,
        created_at=edges.now,
    )
    insert_row(session, row)
    tlv.updated_at = edges.now
    _log(session, ctx, edges, "tlv.advice", decision, tlv)
    return tlv, _advices(session, tlv)


def decide_tlv(
    session: Session, *, tlv_id: str, body: DecisionIn, ctx: ActContext, edges: Edges
) -> tuple[Tlv, list[TlvAdvice]]:
    """The decision, once the law's experts were heard; sent to the school as a
    `tlv.besluit` transfer through the ordinary push."""
    with _attempt(ctx, edges, "tlv.decide") as act:
        tlv = _of_swv(session, act, tlv_id, ctx)
    _under(ctx, edges, DECISION, "tlv.decide", tlv)
    with _attempt(ctx, edges, "tlv.decide") as act:
        act.subject_ref, act.object_id = tlv.subject_ref, tlv.id
        _undecided(tlv)
        heard = list(
            session.scalars(select(TlvAdvice.discipline).where(TlvAdvice.tlv_id == tlv.id))
        )
        if len(heard) < MIN_ADVICES:
            raise Unprocessable(
                f"A TLV is decided on the advice of at least {MIN_ADVICES} experts.",
                code="advices_missing",
            )
        if not ANCHOR_DISCIPLINES & set(heard):
            raise Unprocessable(
                "One of the experts is an orthopedagoog or a GZ-psycholoog.",
                code="advice_discipline_missing",
            )
        identity = subjects.identity(session, tlv.subject_ref, keyring=edges.keyring)
        if identity is None:
            raise Conflict("The pupil's record is gone.", code="subject_unknown")
    decided_on = today(edges.now)
    tlv.outcome, tlv.category = body.outcome, body.category
    tlv.valid_from, tlv.valid_until = body.valid_from, body.valid_until
    tlv.decided_on, tlv.objection_until = decided_on, decided_on + OBJECTION_TERM
    push = TransferCreate(
        recipient=tlv.school_org_id,
        subject=ClientSubject.model_validate(identity),
        dossier={"leerling": {}, "tlv_besluit": _beschikking(tlv)},
    )
    sent, decision = transfers.push_json(session, body=push, ctx=ctx, edges=edges)
    tlv.status, tlv.decision_transfer_id, tlv.updated_at = "decided", sent.id, edges.now
    retention.stamp(tlv, edges.catalog)
    _log(session, ctx, edges, "tlv.decide", decision, tlv)
    return tlv, _advices(session, tlv)


def read(
    session: Session, *, tlv_id: str, ctx: ActContext, edges: Edges
) -> tuple[Tlv, list[TlvAdvice] | None]:
    """The SWV and the requesting school read the procedure; only the SWV sees who
    advised."""
    with _attempt(ctx, edges, "tlv.read") as act:
        tlv = _found(session, act, tlv_id)
        if tlv is None or ctx.org_id not in (tlv.swv_org_id, tlv.school_org_id):
            raise NotFound("No such TLV.")
    decision = _under(ctx, edges, _read_purpose(ctx), "tlv.read", tlv)
    advices = _advices(session, tlv) if ctx.org_id == tlv.swv_org_id else None
    _log(session, ctx, edges, "tlv.read", decision, tlv)
    return tlv, advices


def due_for_herbeoordeling(
    session: Session,
    *,
    ctx: ActContext,
    edges: Edges,
    within_days: int,
    cursor: str | None = None,
    limit: int = paging.DEFAULT_LIMIT,
) -> Page[Tlv]:
    """The SWV's granted TLVs that end within `within_days` or have ended: each needs a
    herbeoordeling. Soonest end first."""
    decision = _under(ctx, edges, _read_purpose(ctx), "tlv.list", None)
    horizon = today(edges.now) + timedelta(days=within_days)
    query = (
        select(Tlv)
        .where(
            Tlv.swv_org_id == ctx.org_id,
            # A refused TLV has no end date, so only granted ones pass.
            Tlv.valid_until <= horizon,
        )
        .order_by(Tlv.valid_until, Tlv.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        until, after_id = paging.decode(cursor, str, str)
        try:
            last = date.fromisoformat(until)
        except ValueError:
            raise Unprocessable(
                "The cursor is not one this list handed out.", code="invalid_cursor"
            ) from None
        query = query.where(
            or_(Tlv.valid_until > last, and_(Tlv.valid_until == last, Tlv.id > after_id))
        )
    rows = list(session.scalars(query))
    audit.append(session, AuditEvent.of(ctx, action="tlv.list", decision=decision), now=edges.now)
    return paging.page_of(rows, limit, lambda t: (str(t.valid_until), t.id))


def _advices(session: Session, tlv: Tlv) -> list[TlvAdvice]:
    query = select(TlvAdvice).where(TlvAdvice.tlv_id == tlv.id)
    return list(session.scalars(query.order_by(TlvAdvice.created_at, TlvAdvice.id)))


def _beschikking(tlv: Tlv) -> dict[str, Any]:
    """The decision as the catalog's `tlv_besluit` holds it: no advice, no free text."""
    fields: dict[str, Any] = {
        "besluit": tlv.outcome,
        "soort": "tlv",
        "categorie": tlv.category,
        "geldig_van": tlv.valid_from,
        "geldig_tot": tlv.valid_until,
        "besluitdatum": tlv.decided_on,
        "bezwaar_tot": tlv.objection_until,
    }
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in fields.items()
        if value is not None
    }


def _parents_heard(session: Session, request: Transfer, edges: Edges) -> None:
    """The catalog's obligations on a TLV request: the OPP travels with it, and the
    parents either agreed (record_opp_instemming) or their zienswijze is recorded
    (record_zienswijze). Read from the sealed request, never copied out of it."""
    if "opp" not in request.categories:
        raise Unprocessable("The TLV request carries no OPP.", code="opp_missing")
    if request.zienswijze is not None:
        return
    if request.format == "json":
        dossier = json.loads(open_sealed(session, request, "dossier", request.dossier, edges))
        opp, asked = dossier.get("opp"), dossier.get("tlv_aanvraag")
        if isinstance(opp, dict) and opp.get("instemming") is True:
            return
        if isinstance(asked, dict) and asked.get("ouders_ingestemd") is True:
            return
    raise Unprocessable(
        "The TLV request records neither the parents' instemming nor their zienswijze.",
        code="parents_not_heard",
    )


def _disciplines(session: Session, advice: Transfer, edges: Edges) -> set[str]:
    """The disciplines the sealed advice names (`deskundigenadvies.deskundigen`)."""
    if advice.format != "json":
        return set()
    dossier = json.loads(open_sealed(session, advice, "dossier", advice.dossier, edges))
    found = dossier.get("deskundigenadvies")
    experts = found.get("deskundigen") if isinstance(found, dict) else None
    if not isinstance(experts, list):
        return set()
    return {e["discipline"] for e in experts if isinstance(e, dict) and "discipline" in e}


def _received(session: Session, act: audit.Attempt, transfer_id: str, ctx: ActContext) -> Transfer:
    """A transfer the caller received; else 404, as for an id that never existed."""
    transfer = session.get(Transfer, transfer_id)
    if transfer is not None:
        act.subject_ref, act.object_id = transfer.subject_ref, transfer.id
        act.owner = transfer.sender_org_id
    if transfer is None or transfer.recipient_org_id != ctx.org_id:
        raise NotFound("No such transfer.")
    return transfer


def _found(session: Session, act: audit.Attempt, tlv_id: str) -> Tlv | None:
    tlv = session.get(Tlv, tlv_id)
    # An id that names nothing is not logged with a pupil: it is the caller's text.
    if tlv is not None:
        act.subject_ref, act.object_id, act.owner = tlv.subject_ref, tlv.id, tlv.swv_org_id
    return tlv


def _of_swv(session: Session, act: audit.Attempt, tlv_id: str, ctx: ActContext) -> Tlv:
    """The TLV if the caller is the SWV that holds it; else 404 like an unknown id."""
    tlv = _found(session, act, tlv_id)
    if tlv is None or tlv.swv_org_id != ctx.org_id:
        raise NotFound("No such TLV.")
    return tlv


def _available(transfer: Transfer) -> None:
    if transfer.status not in RELEASABLE:
        raise Conflict("The transfer is not available.", code="transfer_not_available")


def _undecided(tlv: Tlv) -> None:
    if tlv.status != "requested":
        raise Conflict("The TLV is decided.", code="tlv_decided")


def _read_purpose(ctx: ActContext) -> str:
    return ctx.purpose if ctx.purpose in TLV_PURPOSES else DECISION


def _under(ctx: ActContext, edges: Edges, purpose: str, action: str, tlv: Tlv | None) -> Decision:
    """The act under `purpose` only (else a logged purpose_mismatch), with its basis."""
    return own_task_decision(
        edges.catalog,
        ctx,
        purpose=purpose,
        action=action,
        now=edges.now,
        reason="The SWV's task on toelaatbaarheid (WPO art. 18a, WVO art. 17a).",
        subject_ref=tlv.subject_ref if tlv else None,
        owner=tlv.swv_org_id if tlv else None,
    )


def _log(
    session: Session, ctx: ActContext, edges: Edges, action: str, decision: Decision, tlv: Tlv
) -> None:
    event = AuditEvent.of(
        ctx,
        action=action,
        decision=decision,
        subject_ref=tlv.subject_ref,
        object_id=tlv.id,
        categories=frozenset(),
    )
    # The SWV's privacy officer sees every act on its TLVs, the school's reads as well.
    audit.append(session, replace(event, owner=tlv.swv_org_id), now=edges.now)


def _attempt(ctx: ActContext, edges: Edges, action: str) -> audit.AttemptScope:
    return audit.attempt(ctx, action=action, policy_version=edges.catalog.version, now=edges.now)
