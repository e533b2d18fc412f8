"""Dates of the registry in Dutch time: a consent "until 30 June" ends at midnight there.

A client sends a calendar date; the registry stores the instant the consent stops
counting, so every check is a plain comparison with the clock (no cron, no job).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from gateway.subjects.schemas import SubjectIn

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def today(now: datetime) -> date:
    return now.astimezone(AMSTERDAM).date()


def end_of(day: date) -> datetime:
    """The first instant after `day` in Dutch time: the consent counts before it."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=AMSTERDAM)


def last_day(end: datetime) -> date:
    """The inverse of `end_of`: the last calendar day before `end`."""
    return (end.astimezone(AMSTERDAM) - timedelta(microseconds=1)).date()


def age(subject: SubjectIn, now: datetime) -> int:
    return subject.age_on(today(now))
