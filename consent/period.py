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


def age_on(birth_date: date, day: date) -> int:
    """Whole years on `day`, as `SubjectIn.age_on` counts them (29 February: 1 March)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def birthday(birth_date: date, years: int) -> date:
    """The first day on which the pupil is `years` old, in the `age_on` sense."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # born on 29 February, and no such day that year
        return date(birth_date.year + years, 3, 1)
