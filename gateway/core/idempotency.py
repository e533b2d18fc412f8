"""Idempotency-Key: a retry with the same key and body returns the first result.

The record is written in the same transaction as the act, so a result is remembered
exactly when the act happened.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

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


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b"\0" + path.encode() + b"\0" + body).hexdigest()


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
    if not 1 <= len(key) <= 128:
        raise Unprocessable(
            "The Idempotency-Key must be 1 to 128 characters.", code="invalid_idempotency_key"
        )
    earlier = session.get(IdempotencyRecord, (org_id, key))
    if earlier is not None:
        if earlier.fingerprint != request_fingerprint:
            raise Conflict(
                "This Idempotency-Key was used for another request.", code="idempotency_key_reused"
            )
        return JSONResponse(
            earlier.body, status_code=earlier.status_code, headers={"Idempotent-Replayed": "true"}
        )
    status, body = act()
    session.add(
        IdempotencyRecord(
            org_id=org_id,
            key=key,
            fingerprint=request_fingerprint,
            status_code=status,
            body=body,
            created_at=now,
        )
    )
    session.flush()
    return JSONResponse(body, status_code=status)
