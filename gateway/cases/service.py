"""The knooppunt case's lifecycle: who starts it, who takes part, regie, evaluation.

A case is a table around one pupil (knooppunt, ondersteuningsteam, MDO). What each
party writes and who reads it is `cases.entries`; the signed export, `cases.export`.
To anyone who does not (or no longer) take part, the case answers as an id that never
existed, and the attempt is on the creator's record.

Every act and every refusal is written to the audit log in the act's transaction;
nothing is cached, so a departure counts from the next request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.cases import acts, retention
from gateway.cases.models import Case, CaseParticipant
from gateway.cases.schemas import CaseCreate, MdoIn, ParticipantIn
from gateway.core.context import ActContext
from gateway.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from gateway.edges import Edges
from gateway.orgs import service as orgs
from gateway.subjects import service as subjects

# Who takes regie when a case becomes an MDO: the SWV's trajectbegeleider.
REGIE_KINDS = frozenset({"swv_po", "swv_vo"})
# The yearly evaluation, and how long before it falls due a case is listed as due.
EVALUATION_TERM = timedelta(days=365)
DUE_WITHIN = timedelta(days=30)


def create(session: Session, *, body: CaseCreate, ctx: ActContext, edges: Edges) -> Case:
    """A core partner involved with the pupil starts a case; it is the first
    participant, with a mandate.

    The standing is looked up before the pupil's record is read: a party without it is
    refused on that alone (`sender_not_related`), the same whether the pupil is known or
    not and whatever it stated of them, so the refusal tells it nothing. A case is what
    makes its participants' standing (`case` in `sender_relation`), so it must not rest
    on one: the catalog's `create_relation` names what counts.
    """
    with acts.attempt(ctx, edges, "case.create") as act:
        flow = acts.flow(ctx, edges)
        if ctx.org_kind not in flow.sender_kinds:
            raise Forbidden(f"A {ctx.org_kind} does not start a case.", code="not_party")
        subject_ref = edges.keyring.pseudonyms.subject_ref(body.subject.bsn)
        act.subject_ref = subject_ref
        acts.creator_related(session, act, flow, ctx, subject_ref, edges.authority)
        subject_ref = subjects.resolve(
            session, body.subject, ctx=ctx, standing=edges.standing, act=act
        )
    case = Case(
        id="cs_" + secrets.token_hex(10),
        subject_ref=subject_ref,
        kind=body.kind,
        title=b"",
        status="open",
        created_by_org=ctx.org_id,
        regie_org=ctx.org_id,
        policy_version=edges.catalog.version,
        created_at=edges.now,
        updated_at=edges.now,
        closed_at=None,
        evaluated_at=None,
    )
    case.title = acts.seal(session, case, f"{case.id}/title", body.title.encode(), edges)
    session.add(case)
    session.flush()
    session.add(
        CaseParticipant(
            case_id=case.id,
            org_id=ctx.org_id,
            role=ctx.actor_role or "initiatiefnemer",
            person=ctx.actor,
            mandate=True,
            added_by_org=ctx.org_id,
            joined_at=edges.now,
            left_at=None,
        )
    )
    acts.log(session, ctx, edges, "case.create", "create", case)
    return case


def add_participant(
    session: Session, *, case_id: str, body: ParticipantIn, ctx: ActContext, edges: Edges
) -> Case:
    with acts.attempt(ctx, edges, "case.participant.add") as act:
        flow = acts.flow(ctx, edges)
        case, me = acts.member(session, act, case_id, ctx)
        acts.mandated(me)
        acts.still_open(case)
        kind = orgs.kind_of(session, body.org)
        if kind is None:
            raise Unprocessable("The organisation is not registered.", code="unknown_recipient")
        if kind not in flow.recipient_kinds:
            raise Unprocessable(
                f"A {kind} does not take part in {acts.PURPOSE}.", code="recipient_not_in_flow"
            )
        existing = session.get(CaseParticipant, (case.id, body.org))
        if existing is not None and existing.left_at is None:
            raise Conflict("The organisation already takes part.", code="participant_exists")
    if existing is None:
        existing = CaseParticipant(case_id=case.id, org_id=body.org)
        session.add(existing)
    existing.role, existing.person, existing.mandate = body.role, body.person, body.mandate
    existing.added_by_org, existing.joined_at, existing.left_at = ctx.org_id, edges.now, None
    case.updated_at = edges.now
    acts.log(session, ctx, edges, "case.participant.add", "participant", case)
    return case


def leave(session: Session, *, case_id: str, org_id: str, ctx: ActContext, edges: Edges) -> Case:
    """A participant leaves (or one with a mandate takes another off the case)."""
    with acts.attempt(ctx, edges, "case.participant.leave") as act:
        acts.flow(ctx, edges)
        case, me = acts.member(session, act, case_id, ctx)
        if org_id != ctx.org_id:
            acts.mandated(me)
        target = session.get(CaseParticipant, (case.id, org_id))
        if target is None or target.left_at is not None:
            raise NotFound("No such participant.")
    target.left_at = edges.now
    case.updated_at = edges.now
    acts.log(session, ctx, edges, "case.participant.leave", "leave", case)
    return case


def close(session: Session, *, case_id: str, ctx: ActContext, edges: Edges) -> Case:
    with acts.attempt(ctx, edges, "case.close") as act:
        acts.flow(ctx, edges)
        case, me = acts.member(session, act, case_id, ctx)
        acts.mandated(me)
        acts.still_open(case)
    case.status, case.closed_at, case.updated_at = "closed", edges.now, edges.now
    # From today each party's entries count down their own term.
    retention.stamp_on_close(session, case, catalog=edges.catalog)
    acts.log(session, ctx, edges, "case.close", "close", case)
    return case


def to_mdo(session: Session, *, case_id: str, body: MdoIn, ctx: ActContext, edges: Edges) -> Case:
    """A knooppunt or OT becomes an MDO (oordeelsvormend): the SWV takes regie."""
    with acts.attempt(ctx, edges, "case.mdo") as act:
        acts.flow(ctx, edges)
        case, me = acts.member(session, act, case_id, ctx)
        acts.mandated(me)
        acts.still_open(case)
        if case.kind == "mdo":
            raise Conflict("The case is an MDO already.", code="invalid_transition")
        holder = session.get(CaseParticipant, (case.id, body.regie))
        if holder is None or holder.left_at is not None:
            raise Unprocessable(
                "Regie passes to a participant of the case only.", code="regie_not_participant"
            )
        if orgs.kind_of(session, body.regie) not in REGIE_KINDS:
            raise Unprocessable(
                "Regie of an MDO lies with the samenwerkingsverband.", code="regie_not_swv"
            )
    case.kind, case.regie_org, case.updated_at = "mdo", body.regie, edges.now
    acts.log(session, ctx, edges, "case.mdo", "mdo", case)
    return case


def record_evaluation(session: Session, *, case_id: str, ctx: ActContext, edges: Edges) -> Case:
    """The participants held the case's evaluation: the next one is due a year on."""
    with acts.attempt(ctx, edges, "case.evaluate") as act:
        acts.flow(ctx, edges)
        case, me = acts.member(session, act, case_id, ctx)
        acts.mandated(me)
        acts.still_open(case)
    case.evaluated_at, case.updated_at = edges.now, edges.now
    acts.log(session, ctx, edges, "case.evaluate", "evaluate", case)
    return case


def evaluation_due(case: Case) -> datetime:
    return (case.evaluated_at or case.created_at) + EVALUATION_TERM


@dataclass(frozen=True, slots=True)
class Viewed:
    case: Case
    title: str
    participants: list[tuple[CaseParticipant, str]]


def read(session: Session, *, case_id: str, ctx: ActContext, edges: Edges) -> Viewed:
    with acts.attempt(ctx, edges, "case.read") as act:
        acts.flow(ctx, edges)
        case, _ = acts.member(session, act, case_id, ctx)
    acts.log(session, ctx, edges, "case.read", "read", case)
    return view(session, case, edges)


def view(session: Session, case: Case, edges: Edges, *, everyone: bool = False) -> Viewed:
    """The case with the participants at the table now; with `everyone`, also those who
    left (the export's record of who was there)."""
    query = select(CaseParticipant).where(CaseParticipant.case_id == case.id)
    if not everyone:
        query = query.where(CaseParticipant.left_at.is_(None))
    query = query.order_by(CaseParticipant.joined_at, CaseParticipant.org_id)
    present = list(session.scalars(query))
    kinds = orgs.kinds(session, [p.org_id for p in present])
    title = acts.open_sealed(session, f"{case.id}/title", case.title, edges).decode()
    return Viewed(case, title, [(p, kinds.get(p.org_id, "")) for p in present])


def listing(session: Session, *, ctx: ActContext, edges: Edges, due: bool = False) -> list[Case]:
    """The cases the caller takes part in now, newest first; with `due`, only the open
    ones whose yearly evaluation falls due within 30 days or is overdue."""
    with acts.attempt(ctx, edges, "case.list"):
        acts.flow(ctx, edges)
    query = (
        select(Case)
        .join(
            CaseParticipant,
            (CaseParticipant.case_id == Case.id) & (CaseParticipant.org_id == ctx.org_id),
        )
        .where(CaseParticipant.left_at.is_(None))
        .order_by(Case.created_at.desc(), Case.id.desc())
    )
    found = list(session.scalars(query))
    if due:
        soon = edges.now + DUE_WITHIN
        found = [c for c in found if c.status == "open" and evaluation_due(c) <= soon]
    decision = acts.permit(edges, "list")
    audit.append(session, AuditEvent.of(ctx, action="case.list", decision=decision), now=edges.now)
    return found
