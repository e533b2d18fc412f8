"""Notifications end after their technical term (`notification`, days, in the catalog).

A notification holds ids and the recipient's own pseudonym of the pupil; the act it
tells of is on the audit log, and its details are read through the API. It is kept
while any delivery of it is still pending (nothing acknowledged is lost), then for the
term after it was made: long enough for a poller to catch up and for the dead letters
to be replayed. It goes with its deliveries and their attempts, in bulk: the act it
told of keeps its own audit entry, so no entry is written per notification (as for
idempotency records).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from gateway.delivery.models import Delivery, DeliveryAttempt, Notification
from policies.compiled import Catalog

NOTIFICATION = "notification"


def _due(catalog: Catalog, now: datetime) -> Select[Any] | None:
    found = catalog.taxonomy.retention_classes.get(NOTIFICATION)
    if found is None or found.days is None:
        return None
    pending = select(Delivery.id).where(
        Delivery.notification_id == Notification.id, Delivery.status == "pending"
    )
    return select(Notification.id).where(
        Notification.created_at <= now - timedelta(days=found.days), ~pending.exists()
    )


def due_count(session: Session, *, catalog: Catalog, now: datetime) -> int:
    due = _due(catalog, now)
    return 0 if due is None else len(session.scalars(due).all())


def purge(session: Session, *, catalog: Catalog, now: datetime) -> int:
    due = _due(catalog, now)
    if due is None:
        return 0
    ids = list(session.scalars(due))
    if not ids:
        return 0
    deliveries = select(Delivery.id).where(Delivery.notification_id.in_(ids))
    session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(deliveries)))
    session.execute(delete(Delivery).where(Delivery.notification_id.in_(ids)))
    session.execute(delete(Notification).where(Notification.id.in_(ids)))
    return len(ids)
