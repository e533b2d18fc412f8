"""The knooppunt case: who takes part, what each party wrote, and who may read it.

A case is a table around one pupil (knooppunt, ondersteuningsteam, MDO). Every entry
belongs to the participant that wrote it; another participant reads it only where the
policy engine releases its category from the writer's kind to the reader's kind under
knooppunt.casus: on the writer's own task (leerplicht's closed list), or under a case
consent that names the reader and the category. Nothing else is shown, listed or
counted. To anyone who does not (or no longer) take part, the case and everything in
it answer as an id that never existed, and the attempt is on the creator's record.

Every act and every refusal is written to the audit log in the act's transaction;
nothing is cached, so a withdrawn consent or a departure counts from the next request.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent.period import today
from consent.service import consent_state
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.cases.models import Case, CaseEntry, CaseParticipant
from gateway.cases.schemas import CaseCreate, EntryIn, MdoIn, ParticipantIn
from gateway.catalog.enforce import basis_decision
from gateway.core.context import DATA_SUBJECT, PORTAL_ORG, ActContext, Principal
from gateway.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from gateway.edges import Edges
from gateway.orgs import service as orgs
from gateway.subjects import service as subjects
from policies import engine
from policies.compiled import Flow
from policies.model import ConsentState, Decision, Preconditions, Request

PURPOSE = "knooppunt.casus"
# Who takes regie when a case becomes an MDO: the SWV's trajectbegeleider.
REGIE_KINDS = frozenset({"swv_po", "swv_vo"})
REASONS = {
    "create": "A core partner starts a case on its own task and takes part in it.",
    "participant": "A participant with a mandate brings a partner to the table.",
    "leave": "A participant leaves the case; it reads nothing of it from now on.",
    "close": "A participant with a mandate closes the case; entries keep their own term.",
    "read": "A participant reads the case it takes part in.",
    "list": "An organisation lists the cases it takes part in.",
    "write": "A participant records its own entry; it stays that party's.",
    "release": "A participant reads what its own task or the case consent releases to it.",
    "mdo": "The case becomes an MDO; regie passes to the SWV's trajectbegeleider.",
    "evaluate": "The participants evaluated the case, as they do at least once a year.",
}
# The yearly evaluation, and how long before it falls due a case is listed as due.
EVALUATION_TERM = timedelta(days=365)
DUE_WITHIN = timedelta(days=30)


def create(session: Session, *, body: CaseCreate, ctx: ActContext, edges: Edges) -> Case:
    """Any core partner starts a case; it is the first participant, with a mandate."""
    with _attempt(ctx, edges, "case.create") as act:
        flow = _flow(ctx, edges)
        if ctx.org_kind not in flow.sender_kinds:
            raise Forbidden(f"A {ctx.org_kind} does not start a case.", code="not_party")
        act.subject_ref = edges.keyring.pseudonyms.subject_ref(body.subject.bsn)
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
    case.title = _seal(session, case, f"{case.id}/title", body.title.encode(), edges)
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
    _log(session, ctx, edges, "case.create", "create", case)
    return case


def add_participant(
    session: Session, *, case_id: str, body: ParticipantIn, ctx: ActContext, edges: Edges
) -> Case:
    with _attempt(ctx, edges, "case.participant.add") as act:
        flow = _flow(ctx, edges)
        case, me = _member(session, act, case_id, ctx)
        _mandated(me)
        _open(case)
        kind = orgs.kind_of(session, body.org)
        if kind is None:
            raise Unprocessable("The organisation is not registered.", code="unknown_recipient")
        if kind not in flow.recipient_kinds:
            raise Unprocessable(
                f"A {kind} does not take part in {PURPOSE}.", code="recipient_not_in_flow"
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
    _log(session, ctx, edges, "case.participant.add", "participant", case)
    return case


def leave(session: Session, *, case_id: str, org_id: str, ctx: ActContext, edges: Edges) -> Case:
    """A participant leaves (or one with a mandate takes another off the case)."""
    with _attempt(ctx, edges, "case.participant.leave") as act:
        _flow(ctx, edges)
        case, me = _member(session, act, case_id, ctx)
        if org_id != ctx.org_id:
            _mandated(me)
        target = session.get(CaseParticipant, (case.id, org_id))
        if target is None or target.left_at is not None:
            raise NotFound("No such participant.")
    target.left_at = edges.now
    case.updated_at = edges.now
    _log(session, ctx, edges, "case.participant.leave", "leave", case)
    return case


def close(session: Session, *, case_id: str, ctx: ActContext, edges: Edges) -> Case:
    with _attempt(ctx, edges, "case.close") as act:
        _flow(ctx, edges)
        case, me = _member(session, act, case_id, ctx)
        _mandated(me)
        _open(case)
    case.status, case.closed_at, case.updated_at = "closed", edges.now, edges.now
    _log(session, ctx, edges, "case.close", "close", case)
    return case


def to_mdo(session: Session, *, case_id: str, body: MdoIn, ctx: ActContext, edges: Edges) -> Case:
    """A knooppunt or OT becomes an MDO (oordeelsvormend): the SWV takes regie."""
    with _attempt(ctx, edges, "case.mdo") as act:
        _flow(ctx, edges)
        case, me = _member(session, act, case_id, ctx)
        _mandated(me)
        _open(case)
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
    _log(session, ctx, edges, "case.mdo", "mdo", case)
    return case


def record_evaluation(session: Session, *, case_id: str, ctx: ActContext, edges: Edges) -> Case:
    """The participants held the case's evaluation: the next one is due a year on."""
    with _attempt(ctx, edges, "case.evaluate") as act:
        _flow(ctx, edges)
        case, me = _member(session, act, case_id, ctx)
        _mandated(me)
        _open(case)
    case.evaluated_at, case.updated_at = edges.now, edges.now
    _log(session, ctx, edges, "case.evaluate", "evaluate", case)
    return case


def evaluation_due(case: Case) -> datetime:
    return (case.evaluated_at or case.created_at) + EVALUATION_TERM


@dataclass(frozen=True, slots=True)
class Viewed:
    case: Case
    title: str
    participants: list[tuple[CaseParticipant, str]]


def read(session: Session, *, case_id: str, ctx: ActContext, edges: Edges) -> Viewed:
    with _attempt(ctx, edges, "case.read") as act:
        _flow(ctx, edges)
        case, _ = _member(session, act, case_id, ctx)
    _log(session, ctx, edges, "case.read", "read", case)
    return view(session, case, edges)


def view(session: Session, case: Case, edges: Edges) -> Viewed:
    query = (
        select(CaseParticipant)
        .where(CaseParticipant.case_id == case.id, CaseParticipant.left_at.is_(None))
        .order_by(CaseParticipant.joined_at, CaseParticipant.org_id)
    )
    present = list(session.scalars(query))
    kinds = orgs.kinds(session, [p.org_id for p in present])
    title = _open_sealed(session, f"{case.id}/title", case.title, edges).decode()
    return Viewed(case, title, [(p, kinds.get(p.org_id, "")) for p in present])


def listing(session: Session, *, ctx: ActContext, edges: Edges, due: bool = False) -> list[Case]:
    """The cases the caller takes part in now, newest first; with `due`, only the open
    ones whose yearly evaluation falls due within 30 days or is overdue."""
    with _attempt(ctx, edges, "case.list"):
        _flow(ctx, edges)
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
    decision = _permit(edges, "list")
    audit.append(session, AuditEvent.of(ctx, action="case.list", decision=decision), now=edges.now)
    return found


def write_entry(
    session: Session, *, case_id: str, body: EntryIn, ctx: ActContext, edges: Edges
) -> CaseEntry:
    """The participant's own entry: a category its kind may share, fitting its fields."""
    with _attempt(ctx, edges, "case.entry.write") as act:
        flow = _flow(ctx, edges)
        case, _ = _member(session, act, case_id, ctx)
        _open(case)
        if body.category not in edges.catalog.categories:
            # Not named: an unknown name is the caller's text, not ours.
            raise Unprocessable("The category is not in the catalog.", code="category_forbidden")
        act.categories = frozenset({body.category})
        if body.category not in _writable(flow, ctx.org_kind):
            raise Unprocessable(
                f"A {ctx.org_kind} does not share {body.category} in a case.",
                code="category_forbidden",
            )
        misfits = edges.catalog.misfits({body.category: body.content})
        if misfits:
            where = "; ".join(f"{m.path} {m.problem}" for m in misfits)
            raise Unprocessable(
                f"The content does not fit the fields the catalog gives its category: {where}.",
                code="category_invalid",
                extra={"invalid": [m.to_dict() for m in misfits]},
            )
    entry = CaseEntry(
        id="ce_" + secrets.token_hex(10),
        case_id=case.id,
        org_id=ctx.org_id,
        author=ctx.actor,
        category=body.category,
        content=b"",
        # Each party keeps its entries under its own term (no shared master file).
        retention=flow.retention.key,
        policy_version=edges.catalog.version,
        created_at=edges.now,
    )
    payload = json.dumps(body.content, separators=(",", ":")).encode()
    entry.content = _seal(session, case, f"{entry.id}/content", payload, edges)
    session.add(entry)
    categories = frozenset({entry.category})
    decision = _permit(edges, "write", categories)
    event = AuditEvent.of(
        ctx,
        action="case.entry.write",
        decision=decision,
        subject_ref=case.subject_ref,
        object_id=entry.id,
        categories=categories,
    )
    audit.append(session, event, now=edges.now)
    return entry


@dataclass(frozen=True, slots=True)
class Released:
    entry: CaseEntry
    content: Any


def entries(session: Session, *, case_id: str, ctx: ActContext, edges: Edges) -> list[Released]:
    """What the caller may read of the case, oldest first; the rest is not there."""
    with _attempt(ctx, edges, "case.entries.read") as act:
        _flow(ctx, edges)
        case, me = _member(session, act, case_id, ctx)
    reader = _Reader(session, case, me, ctx, edges)
    query = (
        select(CaseEntry)
        .where(CaseEntry.case_id == case.id)
        .order_by(CaseEntry.created_at, CaseEntry.id)
    )
    shown = [entry for entry in session.scalars(query) if reader.may_read(entry)]
    released = [Released(entry, _content(session, entry, edges)) for entry in shown]
    _log_release(session, ctx, edges, case, case.id, shown)
    return released


def entry(
    session: Session, *, case_id: str, entry_id: str, ctx: ActContext, edges: Edges
) -> Released:
    """One entry, where the caller may read it; else the answer for an unknown id."""
    with _attempt(ctx, edges, "case.entry.read") as act:
        _flow(ctx, edges)
        case, me = _member(session, act, case_id, ctx)
        found = session.get(CaseEntry, entry_id)
        if found is not None and found.case_id == case.id:
            act.object_id, act.owner = found.id, found.org_id
            act.categories = frozenset({found.category})
        if (
            found is None
            or found.case_id != case.id
            or not _Reader(session, case, me, ctx, edges).may_read(found)
        ):
            raise NotFound("No such entry.")
    _log_release(session, ctx, edges, case, found.id, [found])
    return Released(found, _content(session, found, edges))


@dataclass(slots=True)
class _Reader:
    """Decides, entry by entry, what the engine releases to this participant now."""

    session: Session
    case: Case
    me: CaseParticipant
    ctx: ActContext
    edges: Edges
    _kinds: dict[str, str | None] = field(default_factory=dict)
    _consents: dict[str, ConsentState | None] = field(default_factory=dict)
    _decided: dict[tuple[str, str], bool] = field(default_factory=dict)
    _age: int | None = None
    _age_known: bool = False

    def may_read(self, entry: CaseEntry) -> bool:
        if entry.org_id == self.ctx.org_id:
            return True  # the party's own entry
        writer = self._kind(entry.org_id)
        if writer is None:
            return False
        key = (writer, entry.category)
        if key not in self._decided:
            self._decided[key] = self._released(writer, entry.category)
        return self._decided[key]

    def _released(self, writer: str, category: str) -> bool:
        asked = frozenset({category})
        request = Request(
            sender_kind=writer,
            recipient_kind=self.ctx.org_kind,
            purpose=PURPOSE,
            categories=asked,
            subject_age=self._subject_age(),
            consent=self._consent(category),
            # The catalog's `participant`: the reader takes part with a mandate.
            preconditions=Preconditions(participant=self.me.mandate),
            action="release",
        )
        decision = engine.evaluate(request, self.edges.catalog)
        return decision.permitted and category in decision.released

    def _kind(self, org_id: str) -> str | None:
        if org_id == PORTAL_ORG:
            return DATA_SUBJECT  # the parents' or the pupil's own view, from the portal
        if org_id not in self._kinds:
            self._kinds[org_id] = orgs.kind_of(self.session, org_id)
        return self._kinds[org_id]

    def _subject_age(self) -> int | None:
        if not self._age_known:
            keyring = self.edges.keyring
            identity = subjects.identity(self.session, self.case.subject_ref, keyring=keyring)
            self._age = identity.age_on(today(self.edges.now)) if identity else None
            self._age_known = True
        return self._age

    def _consent(self, category: str) -> ConsentState | None:
        if category not in self._consents:
            flow = self.edges.catalog.flow_for_purpose(PURPOSE)
            both = flow is not None and flow.consent is not None and flow.consent.parents_needed > 1
            self._consents[category] = consent_state(
                self.session,
                subject_ref=self.case.subject_ref,
                purpose=PURPOSE,
                recipient_org_id=self.ctx.org_id,
                categories=frozenset({category}),
                now=self.edges.now,
                case_id=self.case.id,
                case_only=True,
                count_gezag=both,
            )
        return self._consents[category]


def readable_by(
    session: Session, case: Case, participant: CaseParticipant, kind: str, edges: Edges
) -> Callable[[CaseEntry], bool]:
    """Whether `participant` (an organisation of `kind`) reads an entry now: the very
    decision its own read of the case gets, for showing who may read what."""
    principal = Principal(participant.org_id, kind, client_id="", scopes=frozenset())
    ctx = ActContext(principal, PURPOSE, participant.person, participant.role, request_id="")
    return _Reader(session, case, participant, ctx, edges).may_read


def _log_release(
    session: Session,
    ctx: ActContext,
    edges: Edges,
    case: Case,
    object_id: str,
    shown: Sequence[CaseEntry],
) -> None:
    categories = frozenset(entry.category for entry in shown)
    decision = _permit(edges, "release", categories)
    event = AuditEvent.of(
        ctx,
        action="case.entries.read" if object_id == case.id else "case.entry.read",
        decision=decision,
        subject_ref=case.subject_ref,
        object_id=object_id,
        categories=categories,
    )
    audit.append(session, event, now=edges.now)


def _writable(flow: Flow, kind: str) -> frozenset[str]:
    """What a party of `kind` may share at the table: what some route carries from it."""
    routes = [route.allowed for route in flow.routes if kind in route.senders]
    return frozenset().union(*routes)


def _flow(ctx: ActContext, edges: Edges) -> Flow:
    """Acts on a case are done under knooppunt.casus only, and only while the catalog
    has the flow."""
    if ctx.purpose != PURPOSE:
        raise Forbidden(
            f"Cases are handled under the purpose {PURPOSE} only.", code="purpose_mismatch"
        )
    flow = edges.catalog.flow_for_purpose(PURPOSE)
    if flow is None or not flow.enabled:
        raise Forbidden("The policy catalog has no knooppunt flow.", code="flow_not_allowed")
    return flow


def _member(
    session: Session, act: audit.Attempt, case_id: str, ctx: ActContext
) -> tuple[Case, CaseParticipant]:
    """The case and the caller's place at it; to anyone else, the answer for an unknown
    id, with the attempt on the creator's record (its privacy officer sees it)."""
    case = session.get(Case, case_id)
    # An id that names nothing is not logged: it is the caller's text, not ours.
    if case is not None:
        act.subject_ref, act.object_id, act.owner = case.subject_ref, case.id, case.created_by_org
    me = session.get(CaseParticipant, (case_id, ctx.org_id)) if case is not None else None
    if case is None or me is None or me.left_at is not None:
        raise NotFound("No such case.")
    return case, me


def _mandated(me: CaseParticipant) -> None:
    if not me.mandate:
        raise Forbidden("Only a participant with a mandate does this.", code="mandate_missing")


def _open(case: Case) -> None:
    if case.status != "open":
        raise Conflict("The case is closed.", code="case_closed")


def _permit(edges: Edges, act: str, categories: frozenset[str] = frozenset()) -> Decision:
    return basis_decision(
        edges.catalog,
        purpose=PURPOSE,
        rule=f"{PURPOSE}/case/{act}",
        reason=REASONS[act],
        categories=categories,
    )


def _log(
    session: Session, ctx: ActContext, edges: Edges, action: str, reason: str, case: Case
) -> None:
    event = AuditEvent.of(
        ctx,
        action=action,
        decision=_permit(edges, reason),
        subject_ref=case.subject_ref,
        object_id=case.id,
    )
    audit.append(session, event, now=edges.now)


def _seal(session: Session, case: Case, record_id: str, data: bytes, edges: Edges) -> bytes:
    return edges.keyring.envelope.seal(
        session,
        subject_ref=case.subject_ref,
        purpose=PURPOSE,
        record_id=record_id,
        plaintext=data,
        now=edges.now,
    )


def _open_sealed(session: Session, record_id: str, data: bytes, edges: Edges) -> bytes:
    return edges.keyring.envelope.open(
        session, record_id=record_id, purpose=PURPOSE, ciphertext=data
    )


def _content(session: Session, entry: CaseEntry, edges: Edges) -> Any:
    return json.loads(_open_sealed(session, f"{entry.id}/content", entry.content, edges))


def _attempt(ctx: ActContext, edges: Edges, action: str) -> audit.AttemptScope:
    return audit.attempt(ctx, action=action, policy_version=edges.catalog.version, now=edges.now)
