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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.cases import acts
from gateway.cases.models import Case, CaseEntry, CaseParticipant
from gateway.cases.reading import Reader
from gateway.cases.schemas import EntryIn
from gateway.core.context import ActContext
from gateway.core.errors import NotFound, Unprocessable
from gateway.edges import Edges
from policies.compiled import Flow


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
        # Each party keeps its entries under its own term (no shared master file): the
        # class the catalog resolves for the writer's kind (`cases.retention`).
        retention=flow.retention.for_writer(ctx.org_kind).key,
        policy_version=edges.catalog.version,
        created_at=edges.now,
    )
    payload = json.dumps(body.content, separators=(",", ":")).encode()
    scope = acts.entry_scope(case.id, entry.org_id)
    entry.content = acts.seal(session, case, f"{entry.id}/content", payload, edges, scope=scope)
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
    shown = readable(session, case, me, ctx, edges)
    log_release(session, ctx, edges, case, case.id, [r.entry for r in shown])
    return shown


def readable(
    session: Session, case: Case, me: CaseParticipant, ctx: ActContext, edges: Edges
) -> list[Released]:
    """Every entry of the case the caller may read now, unsealed, oldest first."""
    reader = Reader(session, case, me, ctx, edges)
    query = (
        select(CaseEntry)
        .where(CaseEntry.case_id == case.id)
        .order_by(CaseEntry.created_at, CaseEntry.id)
    )
    found = list(session.scalars(query))
    reader.know(entry.org_id for entry in found)
    return [Released(e, reader.content(e)) for e in found if reader.may_read(e)]


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
        reader = Reader(session, case, me, ctx, edges)
        if found is None or found.case_id != case.id or not reader.may_read(found):
            raise NotFound("No such entry.")
    log_release(session, ctx, edges, case, found.id, [found])
    return Released(found, reader.content(found))


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
