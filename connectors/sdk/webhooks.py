"""Receiving the gateway's webhooks: verify, then act once per notification.

The gateway posts each notification as a compact JWS signed with its key (published in
its JWKS), with the notification id in `Idempotency-Key` and `Webhook-Id`. It posts
until it gets a 2xx, so the same notification can arrive more than once: `accept`
returns it the first time and None after that. Answer 2xx either way.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import httpx2
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

JWS_TYPE = "notification+jws"


class InvalidWebhook(Exception):
    """Not from the gateway, altered, or too old: answer 400 and do nothing."""


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    event: str
    created_at: str
    data: dict[str, str]


class SeenKeys(Protocol):
    def first_time(self, key: str) -> bool:
        """Records `key`; True only the first time. Durable where effects are."""


class MemorySeen:
    """Seen keys in memory; a system whose effects outlive the process stores them in
    the same database as those effects, in the same transaction."""

    def __init__(self) -> None:
        self._keys: set[str] = set()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._keys:
                return False
            self._keys.add(key)
            return True


class WebhookReceiver:
    def __init__(
        self,
        jwks: Callable[[], dict[str, Any]],
        *,
        seen: SeenKeys | None = None,
        max_age: float = 600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = jwks
        self._keys = KeySet.import_key_set(jwks())  # type: ignore[arg-type]
        self.seen = seen or MemorySeen()
        self._max_age, self._clock = max_age, clock

    @classmethod
    def from_gateway(cls, base_url: str, **kwargs: Any) -> WebhookReceiver:
        """Verifies against the JWKS the gateway publishes (fetched again for a key id
        it does not know yet, after a key rotation)."""
        url = f"{base_url.rstrip('/')}/.well-known/jwks.json"

        def fetch() -> dict[str, Any]:
            response = httpx2.get(url, timeout=30)
            response.raise_for_status()
            found: dict[str, Any] = response.json()
            return found

        return cls(fetch, **kwargs)

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """The notification, if the gateway signed exactly this and it is recent."""
        token = body.decode("ascii", errors="replace").strip()
        try:
            kid = jws.extract_compact(token.encode()).headers().get("kid")
            if kid and not any(k.kid == kid for k in self._keys.keys):
                self._keys = KeySet.import_key_set(self._fetch())  # type: ignore[arg-type]
            found = jws.deserialize_compact(token, self._keys, algorithms=["Ed25519"])
        except (JoseError, ValueError) as exc:
            raise InvalidWebhook("the signature does not verify") from exc
        if found.headers().get("typ") != JWS_TYPE:
            raise InvalidWebhook("not a notification")
        body_json = json.loads(found.payload)
        key = _header(headers, "Idempotency-Key")
        if key != body_json.get("id"):
            raise InvalidWebhook("the Idempotency-Key is not the signed notification id")
        sent_at = _epoch(str(body_json.get("sent_at", "")))
        if abs(self._clock() - sent_at) > self._max_age:
            raise InvalidWebhook("sent too long ago (a replay?)")
        return Notification(
            id=str(body_json["id"]),
            event=str(body_json["event"]),
            created_at=str(body_json["created_at"]),
            data={str(k): str(v) for k, v in dict(body_json["data"]).items()},
        )

    def accept(self, body: bytes, headers: Mapping[str, str]) -> Notification | None:
        """`verify`, then None if this notification was accepted before."""
        note = self.verify(body, headers)
        return note if self.seen.first_time(note.id) else None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _epoch(stamp: str) -> float:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise InvalidWebhook("no valid sent_at") from exc
