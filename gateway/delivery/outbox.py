"""The transactional outbox: a notification is written in the transaction of its act.

If the act rolls back, so does its notification; if it commits, the notification is
there for the organisation to poll (`GET /v1/notifications`) and, for every webhook it
registered for the event, a delivery the worker posts. What a notification says is ids
and the recipient's own pseudonyms: never a BSN, a name or content. The receiver reads
the details through the API, where every read is decided and logged.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gateway.core.db import insert_row
from gateway.crypto.pseudonym import Pseudonymizer
from gateway.delivery.models import Delivery, Notification, Webhook

TRANSFER_AVAILABLE = "transfer.available"
CONSENT_WITHDRAWN = "consent.withdrawn"
SIGNAL_MATCH = "signal.match"
EVENTS = (TRANSFER_AVAILABLE, CONSENT_WITHDRAWN, SIGNAL_MATCH)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


def emit(
    session: Session, *, org_id: str, event: str, data: dict[str, str], now: datetime
) -> Notification:
    """Writes one notification for `org_id` and a delivery per webhook it registered
    for `event`, in the caller's transaction (the act's own)."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event}")
    note = Notification(id=new_id("ntf"), org_id=org_id, event=event, data=data, created_at=now)
    # Core, like the act's other writes on its hot path; the serial `seq` is the database's.
    session.connection().execute(
        insert(Notification).values(
            id=note.id, org_id=org_id, event=event, data=data, created_at=now
        )
    )
    hooks = select(Webhook.id, Webhook.events).where(
        Webhook.org_id == org_id, Webhook.deleted_at.is_(None)
    )
    for webhook_id, events in session.execute(hooks):
        if event not in events:
            continue
        delivery = Delivery(
            id=new_id("dlv"),
            notification_id=note.id,
            webhook_id=webhook_id,
            org_id=org_id,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            claimed_by=None,
            claimed_until=None,
            last_status_code=None,
            created_at=now,
            delivered_at=None,
        )
        insert_row(session, delivery)
    return note


def transfer_available(
    session: Session,
    *,
    transfer_id: str,
    recipient: str,
    sender: str,
    purpose: str,
    subject_ref: str,
    pseudonyms: Pseudonymizer,
    now: datetime,
) -> Notification:
    """A dossier became available to its recipient: the pupil by the recipient's ref."""
    data = {
        "transfer_id": transfer_id,
        "sender": sender,
        "purpose": purpose,
        "subject_ref": pseudonyms.for_org(subject_ref, recipient),
    }
    return emit(session, org_id=recipient, event=TRANSFER_AVAILABLE, data=data, now=now)


def consent_withdrawn(
    session: Session,
    *,
    consent_id: str,
    recipients: list[str],
    purpose: str,
    subject_ref: str,
    pseudonyms: Pseudonymizer,
    now: datetime,
) -> list[Notification]:
    """A consent was withdrawn: each recipient it named, with its own ref for the pupil."""
    return [
        emit(
            session,
            org_id=org,
            event=CONSENT_WITHDRAWN,
            data={
                "consent_id": consent_id,
                "purpose": purpose,
                "subject_ref": pseudonyms.for_org(subject_ref, org),
            },
            now=now,
        )
        for org in sorted(set(recipients))
    ]


def signal_match(
    session: Session, *, match_id: str, sides: list[tuple[str, str]], now: datetime
) -> list[Notification]:
    """A verwijsindex match: both sides, each with its own signal's id. The index never
    names the child, not even by pseudonym."""
    return [
        emit(
            session,
            org_id=org,
            event=SIGNAL_MATCH,
            data={"match_id": match_id, "signal_id": signal_id},
            now=now,
        )
        for org, signal_id in sides
    ]


def payload(note: Notification) -> dict[str, Any]:
    """What is posted and polled: the notification, ids and pseudonyms only."""
    return {
        "id": note.id,
        "event": note.event,
        "created_at": note.created_at.isoformat().replace("+00:00", "Z"),
        "data": note.data,
    }
