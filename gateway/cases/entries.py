"""Each party's own entries at the table, and what another participant may read of them.

Every entry belongs to the participant that wrote it; another participant reads it
only where the policy engine releases its category from the writer's kind to the
reader's kind under knooppunt.casus: on the writer's own task (leerplicht's closed
list), or under a case consent that names the reader and the category. Nothing else is
shown, listed or counted, and reading it by id answers as an unknown id.

Nothing is cached across requests: a withdrawn consent or a departure counts from the
next request.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent.period import today
from consent.service import consent_state
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.cases import acts
from gateway.cases.models import Case, CaseEntry, CaseParticipant
from gateway.cases.schemas import EntryIn
from gateway.core.context import ActContext
from gateway.core.errors import NotFound, Unprocessable
from gateway.edges import Edges
from gateway.orgs import service as orgs
from gateway.subjects import service as subjects
from policies import engine
from policies.compiled import Flow
from policies.model import ConsentState, Preconditions, Request


def write_entry(
    session: Session, *, case_id: str, body: EntryIn, ctx: ActContext, edges: Edges
) -> CaseEntry:
    """The participant's own entry: a category its kind may share, fitting its fields."""
    with acts.attempt(ctx, edges, "case.entry.write") as act:
        flow = acts.flow(ctx, edges)
        case, _ = acts.member(session, act, case_id, ctx)
        acts.still_open(case)
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
    entry.content = acts.seal(session, case, f"{entry.id}/content", payload, edges)
    session.add(entry)
    categories = frozenset({entry.category})
    decision = acts.permit(edges, "write", categories)
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
    with acts.attempt(ctx, edges, "case.entries.read") as act:
        acts.flow(ctx, edges)
        case, me = acts.member(session, act, case_id, ctx)
    reader = _Reader(session, case, me, ctx, edges)
    query = (
        select(CaseEntry)
        .where(CaseEntry.case_id == case.id)
        .order_by(CaseEntry.created_at, CaseEntry.id)
    )
    shown = [entry for entry in session.scalars(query) if reader.may_read(entry)]
    released = [Released(entry, _content(session, entry, edges)) for entry in shown]
    log_release(session, ctx, edges, case, case.id, shown)
    return released


def entry(
    session: Session, *, case_id: str, entry_id: str, ctx: ActContext, edges: Edges
) -> Released:
    """One entry, where the caller may read it; else the answer for an unknown id."""
    with acts.attempt(ctx, edges, "case.entry.read") as act:
        acts.flow(ctx, edges)
        case, me = acts.member(session, act, case_id, ctx)
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
    log_release(session, ctx, edges, case, found.id, [found])
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
            purpose=acts.PURPOSE,
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
            flow = self.edges.catalog.flow_for_purpose(acts.PURPOSE)
            both = flow is not None and flow.consent is not None and flow.consent.parents_needed > 1
            self._consents[category] = consent_state(
                self.session,
                subject_ref=self.case.subject_ref,
                purpose=acts.PURPOSE,
                recipient_org_id=self.ctx.org_id,
                categories=frozenset({category}),
                now=self.edges.now,
                case_id=self.case.id,
                case_only=True,
                count_gezag=both,
            )
        return self._consents[category]


def log_release(
    session: Session,
    ctx: ActContext,
    edges: Edges,
    case: Case,
    object_id: str,
    shown: Sequence[CaseEntry],
) -> None:
    categories = frozenset(entry.category for entry in shown)
    decision = acts.permit(edges, "release", categories)
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


def _content(session: Session, entry: CaseEntry, edges: Edges) -> Any:
    return json.loads(acts.open_sealed(session, f"{entry.id}/content", entry.content, edges))
