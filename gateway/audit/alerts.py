"""What the privacy officer should look at: alerts computed from the organisation's log.

Each alert is read from the entries the organisation's officer may see (its own acts and
others' attempts on its objects, as `service.search` scopes them) over a period, with
thresholds from the settings, and says which search shows the entries behind it:

- a spike of denials: a day with far more refusals than the days before it (median);
- an unusual volume per person: someone whose reads far exceed the organisation's median;
- break-glass uses still awaiting the officer's review (`reviews.pending`);
- probing of the verwijsindex: the index's `signal.volume_alert` entries.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from gateway.audit import reviews
from gateway.audit.models import AuditEntry
from gateway.catalog.enforce import SUPERVISION_PURPOSE

Kind = Literal["denial_spike", "volume", "break_glass", "probing"]
# A day's spike is judged against at least this many days before it.
MIN_TRAILING_DAYS = 3


@dataclass(frozen=True, slots=True)
class Thresholds:
    days: int = 14
    spike_factor: float = 3.0
    spike_min: int = 5
    volume_factor: float = 5.0
    volume_min: int = 20


@dataclass(frozen=True, slots=True)
class Alert:
    kind: Kind
    count: int
    # What it is compared with: the trailing median, the organisation's median.
    baseline: float = 0.0
    day: date | None = None
    actor: str | None = None
    # The search that shows the entries behind it (field name → value).
    search: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime

    @classmethod
    def ending(cls, now: datetime, days: int) -> Period:
        """The last `days` whole days, today included (UTC)."""
        end = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=UTC)
        return cls(end - timedelta(days=days), end)

    def days(self) -> list[date]:
        first = self.start.date()
        return [first + timedelta(days=n) for n in range((self.end - self.start).days)]


def visible(org: str) -> ColumnElement[bool]:
    """The organisation's own entries and others' attempts on its objects."""
    return or_(AuditEntry.org == org, AuditEntry.owner == org)


def per_day(
    session: Session, *, org: str, period: Period, decision: str | None = None
) -> dict[date, int]:
    """How many visible entries each day of the period holds (UTC days)."""
    day = func.date(AuditEntry.time)
    query = select(day, func.count()).where(
        visible(org), AuditEntry.time >= period.start, AuditEntry.time < period.end
    )
    if decision:
        query = query.where(AuditEntry.decision == decision)
    counted = {date.fromisoformat(str(d)[:10]): n for d, n in session.execute(query.group_by(day))}
    return {d: counted.get(d, 0) for d in period.days()}


def per_purpose(session: Session, *, org: str, period: Period) -> dict[str, int]:
    """How many visible accesses each purpose had in the period, most first."""
    query = (
        select(AuditEntry.purpose, func.count())
        .where(visible(org), AuditEntry.time >= period.start, AuditEntry.time < period.end)
        .group_by(AuditEntry.purpose)
    )
    found: dict[str, int] = {purpose: count for purpose, count in session.execute(query)}
    return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))


def alerts(session: Session, *, org: str, now: datetime, limits: Thresholds) -> list[Alert]:
    period = Period.ending(now, limits.days)
    return [
        *denial_spikes(session, org=org, period=period, limits=limits),
        *volumes(session, org=org, period=period, limits=limits),
        *break_glass(session, org=org),
        *probing(session, org=org, period=period),
    ]


def denial_spikes(session: Session, *, org: str, period: Period, limits: Thresholds) -> list[Alert]:
    counts = list(per_day(session, org=org, period=period, decision="deny").items())
    found = []
    for index in range(MIN_TRAILING_DAYS, len(counts)):
        day, count = counts[index]
        baseline = statistics.median(n for _, n in counts[:index])
        if count >= limits.spike_min and count >= limits.spike_factor * max(baseline, 1):
            search = {"beslissing": "deny", "van": day.isoformat(), "tot": day.isoformat()}
            found.append(Alert("denial_spike", count, float(baseline), day=day, search=search))
    return found


def volumes(session: Session, *, org: str, period: Period, limits: Thresholds) -> list[Alert]:
    """People of the organisation whose reads far exceed its median reader's."""
    query = select(AuditEntry.actor).where(
        AuditEntry.org == org,
        AuditEntry.actor.is_not(None),
        AuditEntry.action.like("%.read"),
        AuditEntry.purpose != SUPERVISION_PURPOSE,
        AuditEntry.time >= period.start,
        AuditEntry.time < period.end,
    )
    reads = Counter(actor for actor in session.scalars(query) if actor)
    if len(reads) < 2:
        return []
    median = statistics.median(reads.values())
    since, until = period.start.date().isoformat(), period.days()[-1].isoformat()
    return [
        Alert(
            "volume",
            count,
            float(median),
            actor=actor,
            search={"persoon": actor, "van": since, "tot": until},
        )
        for actor, count in sorted(reads.items(), key=lambda item: (-item[1], item[0]))
        if count >= limits.volume_min and count >= limits.volume_factor * median
    ]


def break_glass(session: Session, *, org: str) -> list[Alert]:
    """Break-glass uses the officer has not reviewed yet, one alert per purpose."""
    waiting = Counter(review.purpose for review in reviews.pending(session, org_id=org))
    return [
        Alert("break_glass", count, search={"doel": purpose})
        for purpose, count in sorted(waiting.items())
    ]


def probing(session: Session, *, org: str, period: Period) -> list[Alert]:
    """The verwijsindex's alerts of unusual volumes of signals in the period."""
    query = select(func.count()).where(
        visible(org),
        AuditEntry.action == "signal.volume_alert",
        AuditEntry.time >= period.start,
        AuditEntry.time < period.end,
    )
    count = session.scalar(query) or 0
    if not count:
        return []
    since, until = period.start.date().isoformat(), period.days()[-1].isoformat()
    return [
        Alert("probing", count, search={"doel": "verwijsindex.signaal", "van": since, "tot": until})
    ]
