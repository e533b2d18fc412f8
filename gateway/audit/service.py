"""Appending to the audit chain, verifying it, and reading it back."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    insert,
    not_,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from gateway.audit.chain import canonical_text
from gateway.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from gateway.audit.verify import Verification, verify_log
from gateway.core import paging
from gateway.core.context import ActContext, current_trace_id, new_trace_id
from gateway.core.db import UNIT_TRACE_ID, transaction_id
from gateway.core.errors import GatewayError, NotFound
from gateway.core.paging import Page
from policies.model import Decision


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One act, as the log records it: ids and pseudonyms only."""

    org: str
    actor: str | None
    actor_role: str | None
    purpose: str
    action: str
    decision: Decision
    subject_ref: str | None = None
    object_id: str | None = None
    categories: frozenset[str] = frozenset()
    request_id: str | None = None
    owner: str | None = None
    # The request's trace; None: the trace of what runs now (`core.context.trace`).
    trace_id: str | None = None

    @classmethod
    def of(
        cls,
        ctx: ActContext,
        *,
        action: str,
        decision: Decision,
        subject_ref: str | None = None,
        object_id: str | None = None,
        categories: frozenset[str] | None = None,
    ) -> AuditEvent:
        """An event for an act in `ctx`; categories default to what was released."""
        return cls(
            org=ctx.org_id,
            actor=ctx.actor,
            actor_role=ctx.actor_role,
            purpose=ctx.purpose,
            action=action,
            decision=decision,
            subject_ref=subject_ref,
            object_id=object_id,
            categories=decision.released if categories is None else categories,
            request_id=ctx.request_id,
            trace_id=ctx.trace_id,
        )


def _trace_id(session: Session, event: AuditEvent) -> str:
    """The event's trace, the one running now, or one for the whole unit of work."""
    found = event.trace_id or current_trace_id()
    if found is None:
        found = session.info.setdefault(UNIT_TRACE_ID, new_trace_id())
    return str(found)


# Built once: compiled statements are cached, so an append costs only its execution.
_LOCK_HEAD = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_INSERT_ENTRY = insert(AuditEntry)
_MOVE_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def append(session: Session, event: AuditEvent, *, now: datetime) -> AuditEntry:
    """Appends one entry; the head row lock orders concurrent appends.

    Core statements rather than the unit of work: this runs inside every act, under
    the chain's lock, so it is kept as short as it can be.
    """
    connection = session.connection()  # Core: no ORM bookkeeping on this hot path
    head_seq, head_hash = connection.execute(_LOCK_HEAD).one()
    decision = event.decision
    entry = AuditEntry(
        seq=head_seq + 1,
        time=now,
        org=event.org,
        actor=event.actor,
        actor_role=event.actor_role,
        purpose=event.purpose,
        legal_basis=decision.legal_basis,
        subject_ref=event.subject_ref,
        categories=sorted(event.categories),
        action=event.action,
        object_id=event.object_id,
        decision=decision.effect,
        code=decision.code,
        rule=decision.rule,
        policy_version=decision.policy_version,
        request_id=event.request_id,
        owner=event.owner if event.owner != event.org else None,
        transaction_id=transaction_id(session),
        trace_id=_trace_id(session, event),
        prev_hash=head_hash,
    )
    entry.leaf = canonical_text(entry)
    connection.execute(_INSERT_ENTRY, {"seq": entry.seq, "leaf": entry.leaf})
    connection.execute(_MOVE_HEAD, {"new_seq": entry.seq, "new_hash": entry.hash})
    return entry


@dataclass(slots=True)
class Attempt:
    """An act under way, as its refusal would be recorded; filled in as facts are known."""

    ctx: ActContext
    action: str
    policy_version: str
    now: datetime
    subject_ref: str | None = None
    object_id: str | None = None
    # The organisation whose object this is, when the actor may be another one.
    owner: str | None = None
    # Logged under this purpose instead of X-Purpose (an act on a consent: its own).
    purpose: str | None = None
    categories: frozenset[str] = field(default_factory=frozenset)

    def denial(self, error: GatewayError) -> AuditEvent:
        decision = Decision(
            effect="deny",
            code=error.code,
            flow=None,
            legal_basis=None,
            rule=f"{self.action}/deny/{error.code}",
            reasons=(error.detail,),
            obligations=(),
            policy_version=self.policy_version,
        )
        event = AuditEvent.of(
            self.ctx,
            action=self.action,
            decision=decision,
            subject_ref=self.subject_ref,
            object_id=self.object_id,
            categories=self.categories,
        )
        return replace(event, purpose=self.purpose or event.purpose, owner=self.owner)


AttemptScope = AbstractContextManager[Attempt]


def _append_refusal(session: Session, *, event: AuditEvent, now: datetime) -> None:
    append(session, event, now=now)


@contextmanager
def attempt(
    ctx: ActContext,
    *,
    action: str,
    policy_version: str,
    now: datetime,
    subject_ref: str | None = None,
    object_id: str | None = None,
    purpose: str | None = None,
) -> Iterator[Attempt]:
    """Puts every refusal of the act inside on record: the one way a refusal is logged.

    A `GatewayError` raised inside (a 404 for another party's object, a 409, a 422 of a
    registry check) leaves carrying a deny entry; whoever owns the transaction writes it
    after rolling the act back (`Database.unit_of_work`), so nothing of the act is
    stored, the caller's answer is unchanged, and the attempt is in the log. An error
    that already carries its entry (a policy deny, with its rule) keeps it.
    """
    act = Attempt(
        ctx,
        action,
        policy_version,
        now,
        subject_ref=subject_ref,
        object_id=object_id,
        purpose=purpose,
    )
    try:
        yield act
    except GatewayError as error:
        if error.record is None:
            error.record = partial(_append_refusal, event=act.denial(error), now=now)
        raise


def handed_over(ids: Sequence[str]) -> str:
    """The object of an entry for a run of objects handed over in order (a page, a
    poll): `first..last`, or the one id."""
    first, last = ids[0], ids[-1]
    return first if first == last else f"{first}..{last}"


def ensure_head(session: Session) -> None:
    if session.get(AuditHead, 1) is None:
        session.add(AuditHead(id=1, seq=0, hash=GENESIS_HASH))


def verify(session: Session) -> Verification:
    """Walks the whole log: a changed, removed, inserted or reordered entry breaks the
    chain, and the tree no longer matches the signed checkpoints (`gateway.audit.verify`)."""
    return verify_log(session)


NOT_FOUND = NotFound.code


def strayed(entry: AuditEntry, viewer: str) -> bool:
    """Is `entry` the viewer's own try on another organisation's object, answered 404?

    The viewer was told what an id that never existed gets; its log shows the try the
    same way, without the pupil, the object or the owner (those are on the owner's log).
    """
    return (
        entry.org == viewer
        and entry.owner is not None
        and entry.owner != viewer
        and entry.code == NOT_FOUND
    )


def owner_seen_by(entry: AuditEntry, viewer: str | None) -> str | None:
    """The entry's owner as `viewer`'s log may show it: to the owner itself (another's
    try on its object), and to the operator (no viewer). To the organisation that
    acted it is never shown: its own refused try about a pupil must not tell it which
    organisation holds that pupil's record."""
    return entry.owner if viewer is None or entry.owner == viewer else None


def search(
    session: Session,
    *,
    org: str | None = None,
    purpose: str | None = None,
    decision: str | None = None,
    subject_ref: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    cursor: str | None = None,
    limit: int = paging.DEFAULT_LIMIT,
    actor: str | None = None,
    hide: ColumnElement[bool] | None = None,
) -> Page[AuditEntry]:
    """The matching entries, newest first, one page at a time; `hide` leaves some out.

    Keyset on `seq`: entries appended while someone pages on (reading the log is
    itself logged) never shift a page, and every entry is shown exactly once.
    """
    common: list[ColumnElement[bool]] = []
    if cursor is not None:
        (before,) = paging.decode(cursor, int)
        common.append(AuditEntry.seq < before)
    if purpose:
        common.append(AuditEntry.purpose == purpose)
    if decision:
        common.append(AuditEntry.decision == decision)
    if subject_ref:
        common.append(AuditEntry.subject_ref == subject_ref)
    if actor:
        common.append(AuditEntry.actor == actor)
    if start:
        common.append(AuditEntry.time >= start)
    if end:
        common.append(AuditEntry.time < end)
    if hide is not None:
        common.append(not_(hide))
    newest = AuditEntry.seq.desc()
    query = select(AuditEntry).where(*common).order_by(newest).limit(limit + 1)
    if org:
        # The organisation's own acts, and the attempts of others on its objects: each
        # read newest first from its own index and merged, where one `OR` would sort
        # every entry of the organisation for each page.
        mine = AuditEntry.org == org
        if subject_ref:
            # Not its own tries on another's object by pupil: they were answered as for
            # an id that never existed, and must not tell it whose object that was.
            mine = and_(
                mine,
                or_(
                    AuditEntry.owner.is_(None),
                    AuditEntry.code.is_(None),
                    AuditEntry.code != NOT_FOUND,
                ),
            )
        branches = [
            select(AuditEntry.seq).where(side, *common).order_by(newest).limit(limit + 1)
            for side in (mine, AuditEntry.owner == org)
        ]
        seqs = union_all(*(select(b.subquery().c.seq) for b in branches))
        query = select(AuditEntry).where(AuditEntry.seq.in_(seqs)).order_by(newest)
        query = query.limit(limit + 1)
    return paging.page_of(list(session.scalars(query)), limit, lambda entry: (entry.seq,))
