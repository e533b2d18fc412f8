"""What clients send to and get back from the webhook and notification endpoints.

Ids, event names, URLs the organisation registered, HTTP statuses and times: nothing
about a pupil but the organisation's own pseudonym inside a notification's `data`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Event = Literal["transfer.available", "consent.withdrawn", "signal.match"]
DeliveryStatus = Literal["pending", "delivered", "dead"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1,
        max_length=2000,
        description="https; plain http only to a loopback address in development.",
    )
    events: list[Event] = Field(min_length=1, max_length=3)


class WebhookRead(BaseModel):
    id: str
    url: str
    events: list[str]
    created_at: datetime


class WebhookList(BaseModel):
    items: list[WebhookRead]


class AttemptRead(BaseModel):
    number: int
    at: datetime
    status_code: int | None = Field(description="None: no HTTP answer (see `error`).")
    outcome: Literal["delivered", "failed", "dead"]
    error: str | None = Field(
        description="timeout, connect, transport, forbidden_address (an internal address) or http."
    )
    next_attempt_at: datetime | None


class DeliveryRead(BaseModel):
    id: str
    webhook_id: str
    notification_id: str = Field(description="Also the Idempotency-Key it is posted with.")
    event: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    history: list[AttemptRead]


class DeliveryList(BaseModel):
    items: list[DeliveryRead]


class NotificationRead(BaseModel):
    id: str = Field(description="Stable: the Idempotency-Key of its webhook deliveries.")
    event: str
    created_at: datetime
    data: dict[str, str] = Field(description="Ids and the organisation's own pseudonyms.")


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    next_after: str | None = Field(description="Pass as `after` to poll for newer ones.")
