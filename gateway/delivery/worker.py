"""The delivery worker: claims due deliveries, posts them signed, records every attempt.

At least once: a delivery is posted until the receiver answers 2xx or the attempts
run out (then it is dead-lettered, with an alert on the audit log). The receiver makes
it exactly once by the notification id in `Idempotency-Key` (also `Webhook-Id`), the
same on every attempt. Several workers share one database: a claim is taken with
`SELECT … FOR UPDATE SKIP LOCKED` (on SQLite the write lock serialises the claim) and
holds a lease (`claimed_until`) longer than a POST may take; a crashed worker's lease
lapses and another worker retakes the delivery. A result is recorded only by the
worker that still holds the claim. A delivery hands a notification over, as a poll does:
it is on the audit log (`webhook.deliver`), in the transaction that marks it delivered.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx2
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from gateway.core.clock import Clock
from gateway.core.db import Database
from gateway.core.settings import Settings
from gateway.crypto.signing import SigningKeys
from gateway.delivery import poll, service
from gateway.delivery.models import Delivery, DeliveryAttempt, Notification, Webhook
from gateway.delivery.outbox import payload
from gateway.delivery.pinning import ForbiddenAddress, PinnedTransport

log = structlog.get_logger("gateway.delivery")
JWS_TYPE = "notification+jws"
DELIVER = "webhook.deliver"


def backoff(attempt: int, *, base: float, cap: float, rand: float) -> float:
    """Seconds before the next try after failed attempt number `attempt` (from 1):
    exponential up to `cap`, with equal jitter (between half and the whole of it), so
    workers that failed together do not all come back at the same moment."""
    ceiling: float = min(cap, base * 2.0 ** min(attempt - 1, 62))
    return ceiling / 2 + rand * ceiling / 2


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery_id: str
    attempt: int  # the number this try will have
    url: str
    notification: dict[str, object]


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class DeliveryWorker:
    db: Database
    signing: SigningKeys
    clock: Clock
    settings: Settings
    policy_version: str
    # The catalog's break-glass purposes: a delivery of a meldcode report's notification
    # is logged naming no pupil (`poll.pupil_of`).
    break_glass: frozenset[str]
    worker_id: str = field(default_factory=lambda: f"{os.getpid()}-{secrets.token_hex(4)}")
    rand: Callable[[], float] = random.random
    batch: int = 10
    _client: httpx2.Client | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    # -- one round -------------------------------------------------------------------

    def run_once(self) -> int:
        """Claims what is due and tries each once; the number tried."""
        claimed = self.claim()
        for item in claimed:
            self.record(item, self.send(item))
        return len(claimed)

    def drain(self, rounds: int = 1000) -> int:
        """Rounds until nothing is due now (retries scheduled later stay)."""
        total = 0
        for _ in range(rounds):
            tried = self.run_once()
            if not tried:
                break
            total += tried
        return total

    def claim(self) -> list[Claimed]:
        now = self.clock.now()
        until = now + timedelta(seconds=self.settings.delivery_lease_seconds)
        due = (
            select(Delivery.id)
            .where(
                Delivery.status == "pending",
                Delivery.next_attempt_at <= now,
                or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
            )
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        with self.db.sessions() as session, session.begin():
            ids = list(session.scalars(due))
            if not ids:
                return []
            session.execute(
                update(Delivery)
                .where(Delivery.id.in_(ids))
                .values(claimed_by=self.worker_id, claimed_until=until)
            )
            rows = session.execute(
                select(Delivery.id, Delivery.attempts, Webhook.url, Notification)
                .join(Webhook, Webhook.id == Delivery.webhook_id)
                .join(Notification, Notification.id == Delivery.notification_id)
                .where(Delivery.id.in_(ids))
                .order_by(Delivery.next_attempt_at, Delivery.id)
            )
            return [Claimed(i, n + 1, url, payload(note)) for i, n, url, note in rows]

    # -- the POST --------------------------------------------------------------------

    def signed(self, item: Claimed, sent_at: datetime) -> bytes:
        """The notification as a compact JWS under the gateway's key (in its JWKS)."""
        body = {**item.notification, "sent_at": _stamp(sent_at), "attempt": item.attempt}
        raw = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
        return self.signing.sign_bytes(raw, typ=JWS_TYPE).encode()

    def send(self, item: Claimed) -> Outcome:
        sent_at = self.clock.now()
        notification_id = str(item.notification["id"])
        headers = {
            "Content-Type": "application/jose",
            "Idempotency-Key": notification_id,
            "Webhook-Id": notification_id,
            "Webhook-Timestamp": str(int(sent_at.timestamp())),
            "Webhook-Attempt": str(item.attempt),
            "User-Agent": "passend-gateway-webhooks",
        }
        try:
            response = self.client.post(
                item.url, content=self.signed(item, sent_at), headers=headers
            )
        except ForbiddenAddress:
            return Outcome(None, "forbidden_address")
        except httpx2.TimeoutException:
            return Outcome(None, "timeout")
        except httpx2.ConnectError:
            return Outcome(None, "connect")
        except httpx2.HTTPError:
            return Outcome(None, "transport")
        return Outcome(response.status_code, None if response.is_success else "http")

    @property
    def client(self) -> httpx2.Client:
        if self._client is None:
            # No redirects: a webhook answers where it was registered, nowhere else.
            # Only public addresses, connected to as checked (loopback in development).
            # A transport of its own also keeps proxies from the environment out.
            transport = PinnedTransport(loopback=self.settings.environment == "development")
            self._client = httpx2.Client(
                timeout=self.settings.delivery_timeout_seconds,
                follow_redirects=False,
                transport=transport,
            )
        return self._client

    # -- the result ------------------------------------------------------------------

    def record(self, item: Claimed, outcome: Outcome) -> str | None:
        """Writes the attempt and the delivery's next state; None if the claim was lost
        (its lease ran out and another worker holds the delivery now)."""
        now = self.clock.now()
        with self.db.sessions() as session, session.begin():
            held = session.scalars(
                select(Delivery).where(Delivery.id == item.delivery_id).with_for_update()
            ).first()
            if held is None or held.claimed_by != self.worker_id or held.status != "pending":
                return None
            state = self._next(session, held, item, outcome, now)
        log.info(
            "webhook.attempt",
            delivery_id=item.delivery_id,
            attempt=item.attempt,
            status_code=outcome.status_code,
            outcome=state,
        )
        return state

    def _next(
        self, session: Session, held: Delivery, item: Claimed, outcome: Outcome, now: datetime
    ) -> str:
        settings = self.settings
        held.attempts, held.last_status_code = item.attempt, outcome.status_code
        held.claimed_by = held.claimed_until = None
        if outcome.delivered:
            held.status, held.delivered_at, held.next_attempt_at = "delivered", now, None
            self._delivered(session, held, now)
        elif item.attempt >= settings.delivery_max_attempts:
            held.status, held.next_attempt_at = "dead", None
            alert = service.decision(
                "deny",
                "alert/dead_letter",
                f"Delivery gave up after {item.attempt} attempts.",
                self.policy_version,
                code="delivery_failed",
            )
            service.log(
                session,
                org_id=held.org_id,
                actor=None,
                action="webhook.dead_letter",
                object_id=held.id,
                decided=alert,
                now=now,
            )
        else:
            delay = backoff(
                item.attempt,
                base=settings.delivery_backoff_base_seconds,
                cap=settings.delivery_backoff_cap_seconds,
                rand=self.rand(),
            )
            held.next_attempt_at = now + timedelta(seconds=delay)
        state = held.status if held.status != "pending" else "failed"
        session.add(
            DeliveryAttempt(
                delivery_id=held.id,
                number=item.attempt,
                at=now,
                status_code=outcome.status_code,
                outcome=state,
                error=outcome.error,
                next_attempt_at=held.next_attempt_at,
                worker=self.worker_id,
            )
        )
        return state

    def _delivered(self, session: Session, held: Delivery, now: datetime) -> None:
        """A delivery hands its notification over as a poll does: one entry, in the
        transaction that marks it delivered (so once, whichever worker posted it)."""
        query = select(Notification).where(Notification.id == held.notification_id)
        handed = list(session.scalars(query))
        permit = service.decision(
            "permit",
            "deliver",
            "The organisation's system received a notification.",
            self.policy_version,
        )
        service.log(
            session,
            org_id=held.org_id,
            actor=None,
            action=DELIVER,
            object_id=held.notification_id,
            subject_ref=poll.pupil_of(session, handed, self.break_glass),
            decided=permit,
            now=now,
        )

    # -- as a thread beside `gateway serve`, or the loop of `gateway worker` ----------

    def start(self) -> None:
        self._thread = threading.Thread(target=self.loop, name="webhook-delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.delivery_timeout_seconds * 2)
        if self._client is not None:
            self._client.close()

    def loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the next round tries again; a delivery is never lost
                log.exception("webhook_delivery_failed")
                busy = 0
            if not busy:
                self._stop.wait(self.settings.delivery_poll_seconds)


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
