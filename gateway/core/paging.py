"""Keyset pagination: newest first, and a cursor that says where the last page ended.

A list a person reads never stops silently: every page either names the next one or
says there is none. The cursor is the sort key of the last row shown, base64url-encoded
JSON; clients treat it as opaque. It is not signed and need not be: every query still
applies the caller's own filters (organisation, pupil), so a forged cursor can only move
within what the caller may see anyway. It holds sequence numbers, ids and timestamps,
never personal data, so it may travel in a URL.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query

from gateway.core.errors import Unprocessable

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_MAX_CURSOR = 256  # a real cursor is well under this; anything longer is refused unread
_BIGINT = 2**63

Part = int | str | datetime
T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=_MAX_CURSOR,
        description="The `next` value of the previous page; omit it for the newest page.",
    ),
]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page, newest first; `next` is the cursor of the page after it, or None."""

    items: list[T]
    next: str | None


def page_of(rows: list[T], limit: int, key: Callable[[T], tuple[Part, ...]]) -> Page[T]:
    """`rows` fetched with `limit + 1`: the extra row only tells that more follow."""
    if len(rows) <= limit:
        return Page(rows, None)
    shown = rows[:limit]
    return Page(shown, encode(*key(shown[-1])))


def encode(*parts: Part) -> str:
    values = [p.astimezone(UTC).isoformat() if isinstance(p, datetime) else p for p in parts]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(cursor: str, *kinds: type[Part]) -> tuple[Any, ...]:
    """The parts of `cursor`, each checked against its kind; anything else is a 422."""
    try:
        if len(cursor) > _MAX_CURSOR:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError("wrong shape")
        return tuple(_part(value, kind) for value, kind in zip(values, kinds, strict=True))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Unprocessable(
            "The cursor is not one this list handed out.", code="invalid_cursor"
        ) from None


def _part(value: object, kind: type[Part]) -> Part:
    if kind is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("naive timestamp")
        return moment
    # bool is an int to Python, never to a cursor
    if type(value) is kind and kind is not datetime:
        if isinstance(value, int) and not -_BIGINT <= value < _BIGINT:
            raise ValueError("out of range")  # the database would refuse it with a 500
        return value
    raise ValueError("wrong kind")
