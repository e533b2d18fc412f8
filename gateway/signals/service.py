"""Registering a signal and the matches it makes; what the caller may list.

A signal is keyed by the index's pseudonym of the child (and of the parents, for the
household match); the BSN is used for that and for the subject register's birth date,
and is then dropped. A match tells both sides who the other is and how to reach them,
nothing more (DOMAIN flows 12 and 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from consent.period import today
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import basis_decision
from gateway.core.context import ActContext
from gateway.core.db import insert_row
from gateway.core.errors import Conflict
from gateway.core.settings import Settings
from gateway.delivery import outbox
from gateway.edges import Edges
from gateway.signals import guards, store
from gateway.signals.guards import MATCH, SIGNAL, SIGNAL_CATEGORIES
from gateway.signals.models import Signal, SignalMatch, SignalNotification, SignalParent
from gateway.signals.schemas import Contact, SignalCreate
from gateway.subjects import service as subjects

ACTIVE_TERM = timedelta(days=2 * 365)  # Jeugdwet art. 7.1.4.5: active at most two years


@dataclass(frozen=True, slots=True)
class Found:
    """The other side of a match as the caller sees it."""

    match: SignalMatch
    mine: Signal
    other: Signal
    contact: Contact


def register(
    session: Session, *, body: SignalCreate, ctx: ActContext, edges: Edges, settings: Settings
) -> tuple[Signal, list[Found]]:
    guards.switched_on(ctx, edges, settings, "signal.register")
    guards.under(ctx, edges, SIGNAL, "signal.register")
    subject_ref = edges.keyring.pseudonyms.subject_ref(body.subject)
    # A stranger is refused here, before the record is read (the same answer for any BSN).
    involved = guards.standing(
        session, ctx, edges, action="signal.register", subject_ref=subject_ref
    )
    # The birth date on record (the authoritative school's, DOMAIN §7); none on record:
    # the age is unknown and the catalog refuses, as for a youth out of scope.
    identity = subjects.identity(session, subject_ref, keyring=edges.keyring) if involved else None
    born = identity.birth_date if identity is not None else None
    age = identity.age_on(today(edges.now)) if identity is not None else None
    decision = guards.signal_decision(
        ctx, edges, involved=involved, age=age, action="signal.register", subject_ref=subject_ref
    )
    if born is None:  # the catalog's age scope has refused an unknown age already
        raise Conflict("The child's birth date is not on record.", code="subject_unknown")
    child = edges.keyring.index.child(body.subject)
    with audit.attempt(
        ctx, action="signal.register", policy_version=edges.catalog.version, now=edges.now,
        subject_ref=subject_ref,
    ):  # fmt: skip
        # By the child's index: by the organisation's, a large reporter's signals would
        # all be read.
        holders = select(Signal.org_id).where(Signal.child_key == child, Signal.status == "active")
        if ctx.org_id in set(session.scalars(holders)):
            raise Conflict(
                "The organisation has an active signal for this child.", code="signal_exists"
            )
        guards.count_signal(session, ctx, edges, settings)
    signal = Signal(
        id=store.new_id("sig"),
        org_id=ctx.org_id,
        child_key=child,
        status="active",
        responsible=ctx.actor,
        contact=b"",
        destroy_on=guards.twenty_third_birthday(born),
        created_at=edges.now,
        expires_at=edges.now + ACTIVE_TERM,
        archived_at=None,
        archive_reason=None,
        archive_until=None,
        informed=None,
        informed_on=None,
        not_told_reason=None,
        reminded_at=None,
    )
    contact = body.contact.model_dump_json().encode()
    signal.contact = store.seal(session, edges, signal.id, ctx.org_id, store.CONTACT, contact)
    insert_row(session, signal)
    parents = sorted({edges.keyring.index.parent(p.bsn) for p in body.household})
    for parent in parents:
        insert_row(session, SignalParent(signal_id=signal.id, parent_key=parent))
    event = AuditEvent.of(
        ctx,
        action="signal.register",
        decision=decision,
        subject_ref=subject_ref,
        object_id=signal.id,
        categories=SIGNAL_CATEGORIES,
    )
    audit.append(session, event, now=edges.now)
    found = _match(session, signal, parents, ctx=ctx, edges=edges, subject_ref=subject_ref)
    return signal, found


def _candidates(session: Session, signal: Signal, parents: list[str]) -> list[tuple[Signal, str]]:
    """Every active signal of another organisation on the same child, and with parents
    named, on a child of the same parent."""
    others = and_(Signal.status == "active", Signal.org_id != signal.org_id)
    same_child = select(Signal).where(Signal.child_key == signal.child_key, others)
    found = [(s, "child") for s in session.scalars(same_child)]
    if parents:
        # In two steps, by the parents' index and then by id: joined, SQLite's planner
        # (without statistics) walked every active signal instead.
        named = select(SignalParent.signal_id).where(SignalParent.parent_key.in_(parents))
        ids = sorted(set(session.scalars(named)))
        if ids:
            household = select(Signal).where(
                Signal.id.in_(ids), Signal.child_key != signal.child_key, others
            )
            found += [(s, "household") for s in session.scalars(household)]
    return found


def _match(
    session: Session,
    signal: Signal,
    parents: list[str],
    *,
    ctx: ActContext,
    edges: Edges,
    subject_ref: str,
) -> list[Found]:
    age = guards.age_on(signal.destroy_on, today(edges.now))
    mine = guards.match_decision(edges, org_kind=ctx.org_kind, age=age)
    found: list[Found] = []
    for other, kind in _candidates(session, signal, parents):
        theirs = guards.match_decision(
            edges, org_kind=store.kind_of(session, other.org_id), age=age
        )
        if not (mine.permitted and theirs.permitted):
            continue  # the catalog tells only the kinds it names; fail closed
        match = SignalMatch(
            id=store.new_id("vim"),
            signal_id=signal.id,
            other_id=other.id,
            kind=kind,
            created_at=edges.now,
            regie_org=None,
            regie_person=None,
            regie_at=None,
        )
        insert_row(session, match)
        for org_id, signal_id in ((other.org_id, other.id), (ctx.org_id, signal.id)):
            note = SignalNotification(
                id=store.new_id("vin"),
                org_id=org_id,
                kind="match",
                signal_id=signal_id,
                match_id=match.id,
                created_at=edges.now,
            )
            insert_row(session, note)
        outbox.signal_match(
            session,
            match_id=match.id,
            sides=[(other.org_id, other.id), (ctx.org_id, signal.id)],
            now=edges.now,
        )
        store.log_both(
            session,
            parties=(
                store.Party(ctx.org_id, ctx.actor, ctx.actor_role),
                store.Party(other.org_id, None, None),
            ),
            action="signal.match",
            decisions=(mine, theirs),
            match_id=match.id,
            subject_ref=subject_ref,
            request_id=ctx.request_id,
            now=edges.now,
        )
        found.append(Found(match, signal, other, store.contact_of(session, edges, other)))
    return found


def current_matches(
    session: Session, *, ctx: ActContext, edges: Edges, settings: Settings
) -> list[Found]:
    """The matches of the caller's active signals with other active signals."""
    guards.switched_on(ctx, edges, settings, "signal.matches")
    guards.under(ctx, edges, MATCH, "signal.matches")
    own = select(Signal.id).where(Signal.org_id == ctx.org_id, Signal.status == "active")
    query = (
        select(SignalMatch)
        .where(or_(SignalMatch.signal_id.in_(own), SignalMatch.other_id.in_(own)))
        .order_by(SignalMatch.created_at, SignalMatch.id)
    )
    found: list[Found] = []
    day = today(edges.now)
    for match in session.scalars(query):
        mine_id, other_id = (match.signal_id, match.other_id)
        mine = session.get(Signal, mine_id)
        if mine is None or mine.org_id != ctx.org_id:
            mine_id, other_id = other_id, mine_id
            mine = session.get(Signal, mine_id)
        other = session.get(Signal, other_id)
        if mine is None or other is None or other.status != "active":
            continue
        age = guards.age_on(mine.destroy_on, day)
        if not guards.match_decision(edges, org_kind=ctx.org_kind, age=age).permitted:
            continue
        found.append(Found(match, mine, other, store.contact_of(session, edges, other)))
    _log_read(session, ctx, edges, "signal.matches", MATCH)
    return found


def own_signals(
    session: Session,
    *,
    ctx: ActContext,
    edges: Edges,
    settings: Settings,
    informed_missing: bool,
) -> list[Signal]:
    """The caller's own signals (never anyone else's: there is no search), newest first;
    with `informed_missing`, the active ones whose informing is not on record."""
    guards.switched_on(ctx, edges, settings, "signal.list")
    guards.under(ctx, edges, SIGNAL, "signal.list")
    query = select(Signal).where(Signal.org_id == ctx.org_id)
    if informed_missing:
        query = query.where(Signal.status == "active", Signal.informed.is_(None))
    rows = list(session.scalars(query.order_by(Signal.created_at.desc(), Signal.id).limit(500)))
    _log_read(session, ctx, edges, "signal.list", SIGNAL)
    return rows


def notifications(
    session: Session, *, ctx: ActContext, edges: Edges, settings: Settings
) -> list[SignalNotification]:
    """The organisation's notifications, newest first: matches and reminders."""
    guards.switched_on(ctx, edges, settings, "signal.notifications")
    guards.under(ctx, edges, MATCH, "signal.notifications")
    query = (
        select(SignalNotification)
        .where(SignalNotification.org_id == ctx.org_id)
        .order_by(SignalNotification.created_at.desc(), SignalNotification.id)
        .limit(500)
    )
    rows = list(session.scalars(query))
    _log_read(session, ctx, edges, "signal.notifications", MATCH)
    return rows


def _log_read(session: Session, ctx: ActContext, edges: Edges, action: str, purpose: str) -> None:
    decision = basis_decision(
        edges.catalog,
        purpose=purpose,
        rule=f"{purpose}/own_signals",
        reason="The organisation reads what the index holds of its own signals.",
    )
    audit.append(session, AuditEvent.of(ctx, action=action, decision=decision), now=edges.now)
