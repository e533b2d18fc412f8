"""The sweep that keeps the index within the law, run on a schedule.

In this order, each act in the audit log of the signal's organisation:
- destroyed: every signal (active or archived) of a youth on or after the 23rd birthday,
  and every archived signal whose five years have passed;
- archived: every active signal two years old (`expired`), for five years;
- reminded: every active signal whose informing is still missing after the region's
  reminder term, again after as many days while it stays missing.
Each step works in batches; `run` commits batch by batch until nothing is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from consent.period import today
from gateway.catalog.enforce import basis_decision
from gateway.core.context import trace
from gateway.core.db import Database, insert_row
from gateway.core.settings import Settings
from gateway.edges import Edges
from gateway.signals import lifecycle, store
from gateway.signals.guards import SIGNAL
from gateway.signals.models import Signal, SignalNotification
from policies.model import Decision

BATCH = 500


@dataclass(slots=True)
class Swept:
    destroyed: int = 0
    archived: int = 0
    reminded: int = 0

    @property
    def total(self) -> int:
        return self.destroyed + self.archived + self.reminded


def _permit(edges: Edges, rule: str, reason: str) -> Decision:
    return basis_decision(edges.catalog, purpose=SIGNAL, rule=f"{SIGNAL}/{rule}", reason=reason)


def sweep(session: Session, edges: Edges, settings: Settings, *, batch: int = BATCH) -> Swept:
    """One batch of each step; call again while it did anything."""
    swept = Swept()
    day = today(edges.now)
    aged = select(Signal).where(Signal.destroy_on <= day).limit(batch)
    ended = (
        select(Signal)
        .where(Signal.status == "archived", Signal.archive_until <= edges.now)
        .limit(batch)
    )
    for query, rule, reason in (
        (aged, "destroy/age_23", "Destroyed on the youth's 23rd birthday."),
        (ended, "destroy/archive_ended", "The five years in the archive have passed."),
    ):
        rows = list(session.scalars(query))
        decision = _permit(edges, rule, reason)
        for signal in rows:
            store.log_signal(session, None, signal, action="signal.destroy", decision=decision,
                             now=edges.now)  # fmt: skip
        store.remove(session, [s.id for s in rows])
        swept.destroyed += len(rows)
    expired = (
        select(Signal).where(Signal.status == "active", Signal.expires_at <= edges.now).limit(batch)
    )
    decision = _permit(edges, "expire", "Active for two years: five years in the archive.")
    for signal in session.scalars(expired):
        lifecycle.archive(signal, "expired", edges)
        store.log_signal(session, None, signal, action="signal.expire", decision=decision,
                         now=edges.now)  # fmt: skip
        swept.archived += 1
    swept.reminded = _remind(session, edges, settings, batch)
    return swept


def _remind(session: Session, edges: Edges, settings: Settings, batch: int) -> int:
    term = timedelta(days=settings.signals_inform_reminder_days)
    due = edges.now - term
    query = (
        select(Signal)
        .where(Signal.status == "active", Signal.informed.is_(None), Signal.created_at <= due)
        .where(or_(Signal.reminded_at.is_(None), and_(Signal.reminded_at <= due)))
        .limit(batch)
    )
    decision = _permit(edges, "remind", "The youth or parents are not yet told of the signal.")
    count = 0
    for signal in session.scalars(query):
        signal.reminded_at = edges.now
        note = SignalNotification(
            id=store.new_id("vin"),
            org_id=signal.org_id,
            kind="inform_reminder",
            signal_id=signal.id,
            match_id=None,
            created_at=edges.now,
        )
        insert_row(session, note)
        store.log_signal(session, None, signal, action="signal.remind", decision=decision,
                         now=edges.now)  # fmt: skip
        count += 1
    return count


def run(db: Database, edges: Callable[[], Edges], settings: Settings) -> Swept:
    """The whole sweep, a transaction per batch, until a batch finds nothing to do; one
    trace for the run, its entries under it."""
    with trace():
        return _run(db, edges, settings)


def _run(db: Database, edges: Callable[[], Edges], settings: Settings) -> Swept:
    total = Swept()
    while True:
        with db.unit_of_work() as session:
            swept = sweep(session, edges(), settings)
        total.destroyed += swept.destroyed
        total.archived += swept.archived
        total.reminded += swept.reminded
        if swept.total == 0:
            return total
