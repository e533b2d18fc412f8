"""The outbox and its delivery: what an organisation is told, where, and how it went.

A notification is written in the transaction of the act it tells of, so it exists
exactly when the act does. It holds ids and the recipient's own pseudonyms only; the
receiver reads the details through the API. A delivery is one notification for one
webhook; each try at it is an attempt, kept with its HTTP status and never a body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base

_SERIAL = BigInteger().with_variant(Integer(), "sqlite")


class Webhook(Base):
    """Where an organisation wants its notifications posted."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_org", "org_id", "deleted_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]]
    created_at: Mapped[datetime]
    # Deleted webhooks stay for the history of their deliveries; none is tried again.
    deleted_at: Mapped[datetime | None]


class Notification(Base):
    """The outbox: one thing an organisation is told, written with the act itself."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_org", "org_id", "seq"),)

    # Polling reads an organisation's notifications after the last one it saw.
    seq: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    # Opaque and stable: the idempotency key the receiver de-duplicates by.
    id: Mapped[str] = mapped_column(String(40), unique=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    event: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class Delivery(Base):
    """One notification on its way to one webhook."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The worker's claim: pending deliveries whose turn has come.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_org", "org_id", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    notification_id: Mapped[str] = mapped_column(ForeignKey("notifications.id"))
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id"))
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    # pending | delivered | dead
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None]
    # A worker's lease: until then no other worker takes it; a crashed one's lapses.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """One POST of a delivery: when, the HTTP status (none: no answer), what next."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id", "number"),)

    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("webhook_deliveries.id"))
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    status_code: Mapped[int | None] = mapped_column(Integer)
    # delivered | failed | dead; `error` a fixed word (timeout, connect, http), no text
    # from the receiver.
    outcome: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(32))
    next_attempt_at: Mapped[datetime | None]
    worker: Mapped[str] = mapped_column(String(64))
