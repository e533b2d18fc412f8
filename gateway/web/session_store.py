"""The portal's sessions in the database: the cookie names a row, the row is the session.

The cookie carries a random id of 256 bits and nothing else; the table keys each
session by the SHA-256 of that id, so reading the table yields no usable cookie. A
session ends when its person logs out (the row is deleted), after
`session_idle_seconds` without a request, and `session_max_seconds` after it began,
whatever the cookie's own Max-Age says: both limits are read from the row's timestamps
against the app's clock. Rows that ended by themselves are purged whenever a new
session begins, so the table holds no more than the sessions still running.

Plain functions on the request's transaction: they never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from gateway.core.settings import Settings
from gateway.web.models import PortalSession


@dataclass(frozen=True, slots=True)
class Lifetime:
    idle: timedelta
    max: timedelta

    @classmethod
    def of(cls, settings: Settings) -> Lifetime:
        return cls(
            timedelta(seconds=settings.session_idle_seconds),
            timedelta(seconds=settings.session_max_seconds),
        )

    def over(self, row: PortalSession, now: datetime) -> bool:
        return now - row.last_seen_at >= self.idle or now - row.created_at >= self.max


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def load(
    db: Session, *, session_id: str, now: datetime, lifetime: Lifetime
) -> PortalSession | None:
    """The running session this id names; None for an unknown, ended or expired one.

    Locked until the request commits: two requests of one session take turns, so a
    logout cannot delete the row under a page that is about to save it.
    """
    row = db.get(PortalSession, digest(session_id), with_for_update=True)
    if row is None:
        return None
    if lifetime.over(row, now):
        db.delete(row)
        return None
    return row


def begin(db: Session, *, data: dict[str, Any], now: datetime, lifetime: Lifetime) -> str:
    """A new session under a new id, returned once: only its hash is stored."""
    purge(db, now=now, lifetime=lifetime)
    session_id = secrets.token_urlsafe(32)
    db.add(PortalSession(id_hash=digest(session_id), data=data, created_at=now, last_seen_at=now))
    return session_id


def touch(row: PortalSession, *, data: dict[str, Any], now: datetime) -> None:
    """A request in this session: its state saved, its idle time starting again."""
    row.data = data
    row.last_seen_at = now


def end(db: Session, row: PortalSession) -> None:
    db.delete(row)


def purge(db: Session, *, now: datetime, lifetime: Lifetime) -> None:
    db.execute(
        delete(PortalSession)
        .where(
            or_(
                PortalSession.last_seen_at <= now - lifetime.idle,
                PortalSession.created_at <= now - lifetime.max,
            )
        )
        .execution_options(synchronize_session=False)
    )
