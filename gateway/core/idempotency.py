"""Idempotency-Key: a retry with the same key and body returns the first result.

The record is written in the same transaction as the act, so a result is remembered
exactly when the act happened.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import JSON, Integer, String, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.dml import ReturningInsert

from gateway.core.context import ActContext
from gateway.core.db import Base
from gateway.core.errors import Conflict, Unprocessable


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"

    org_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


def fingerprint(ctx: ActContext, method: str, path: str, body: bytes) -> str:
    """The request as a retry must repeat it: the act under the same purpose, by the same
    actor in the same role, not only the same bytes."""
    context = "\0".join((ctx.purpose, ctx.actor, ctx.actor_role or "")).encode()
    parts = (context, method.encode(), path.encode(), body)
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def answer_once(
    session: Session,
    ctx: ActContext,
    *,
    key: str | None,
    path: str,
    body: bytes,
    now: datetime,
    act: Callable[[], tuple[int, dict[str, Any]]],
) -> JSONResponse:
    """`run_once` for a POST to `path` by the caller of `ctx`, fingerprinted only when a
    key was given."""
    return run_once(
        session,
        org_id=ctx.org_id,
        key=key,
        request_fingerprint=lambda: fingerprint(ctx, "POST", path, body),
        now=now,
        act=act,
    )


def run_once(
    session: Session,
    *,
    org_id: str,
    key: str | None,
    request_fingerprint: str | Callable[[], str],
    now: datetime,
    act: Callable[[], tuple[int, dict[str, Any]]],
) -> JSONResponse:
    """Runs `act` unless this key already ran it, and answers with its result.

    The fingerprint may be given as a function: hashing a large body is only worth
    it when there is a key to remember it under.
    """
    if key is None:
        status, body = act()
        return JSONResponse(body, status_code=status)
    if callable(request_fingerprint):
        request_fingerprint = request_fingerprint()
    earlier = earlier_answer(
        session, org_id=org_id, key=key, request_fingerprint=request_fingerprint
    )
    if earlier is not None:
        return earlier
    if not _claim(
        session, org_id=org_id, key=key, request_fingerprint=request_fingerprint, now=now
    ):
        # Another attempt with this key claimed it first and has committed by now (the
        # claim waited for it): answer what it answered.
        earlier = earlier_answer(
            session, org_id=org_id, key=key, request_fingerprint=request_fingerprint
        )
        if earlier is None:
            raise Conflict(
                "Another request with this Idempotency-Key is in progress.",
                code="idempotency_key_in_use",
            )
        return earlier
    status, body = act()
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.org_id == org_id, IdempotencyRecord.key == key)
        .values(status_code=status, body=body)
    )
    return JSONResponse(body, status_code=status)


def _claim(
    session: Session, *, org_id: str, key: str, request_fingerprint: str, now: datetime
) -> bool:
    """Claims the key before acting: of two attempts side by side, the second waits on
    the key's row until the first commits (or rolls back) and then claims nothing."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = session.execute(
        insert(IdempotencyRecord)
        .values(
            org_id=org_id,
            key=key,
            fingerprint=request_fingerprint,
            status_code=0,
            body={},
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(IdempotencyRecord.key)
    )
    return result.first() is not None


def earlier_answer(
    session: Session, *, org_id: str, key: str, request_fingerprint: str
) -> JSONResponse | None:
    """The answer this key was given before, replayed; None if it is new.

    Read before an act is decided (a retry is answered without deciding again) and once
    more in the act's own transaction by `run_once`, where a concurrent first attempt
    that landed in between is found.
    """
    if not 1 <= len(key) <= 128:
        raise Unprocessable(
            "The Idempotency-Key must be 1 to 128 characters.", code="invalid_idempotency_key"
        )
    earlier = session.get(IdempotencyRecord, (org_id, key))
    if earlier is None:
        return None
    if earlier.fingerprint != request_fingerprint:
        raise Conflict(
            "This Idempotency-Key was used for another request.", code="idempotency_key_reused"
        )
    return JSONResponse(
        earlier.body, status_code=earlier.status_code, headers={"Idempotent-Replayed": "true"}
    )


def answers(session: Session, *, org_id: str, keys: Collection[str]) -> dict[str, Answer]:
    """The answers already recorded under any of `keys`: one query for a whole batch."""
    if not keys:
        return {}
    rows = session.execute(
        select(
            IdempotencyRecord.key,
            IdempotencyRecord.fingerprint,
            IdempotencyRecord.status_code,
            IdempotencyRecord.body,
        ).where(IdempotencyRecord.org_id == org_id, IdempotencyRecord.key.in_(list(keys)))
    )
    return {row.key: Answer(row.fingerprint, row.status_code, row.body) for row in rows}


def remember(
    session: Session,
    *,
    org_id: str,
    key: str,
    request_fingerprint: str,
    now: datetime,
    status: int,
    body: dict[str, Any],
) -> bool:
    """Records the answer of an act whose answer is known before it is written, in one
    statement (for a writer that looked for the key earlier in its own transaction).
    False: another attempt holds the key, and the act must not be written (its
    transaction waited for that attempt's commit, as `_claim` does)."""
    statement = _remember_for(session.get_bind().dialect.name)
    values = {
        "org_id": org_id,
        "key": key,
        "fingerprint": request_fingerprint,
        "status_code": status,
        "body": body,
        "created_at": now,
    }
    # Core, on the session's connection: the ORM's bulk-insert path costs more than the
    # statement itself (the record is never read back as an object in this transaction).
    result = session.connection().execute(statement, values)
    return result.first() is not None


@functools.cache
def _remember_for(dialect: str) -> ReturningInsert[tuple[str]]:
    """The INSERT … ON CONFLICT DO NOTHING RETURNING key, built once per dialect and
    given its values on execution (its compiled form is then cached too)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(IdempotencyRecord).on_conflict_do_nothing().returning(IdempotencyRecord.key)


@dataclass(frozen=True, slots=True)
class Answer:
    fingerprint: str
    status_code: int
    body: dict[str, Any]
