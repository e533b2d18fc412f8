"""Delivery under test: a PO school pushing to a VO school, webhooks, the worker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from gateway.delivery.models import Delivery, Notification
from gateway.delivery.worker import DeliveryWorker
from gateway.main import worker_of
from tests.support.gateway import Gateway, Org, make_dossier
from tests.support.portal import CHILD, OVERSTAP, enrol

EVENTS = ["transfer.available", "consent.withdrawn", "signal.match"]
INZAGE = {"date": "2016-04-14", "akkoord": True, "zienswijze": None}


def schools(gateway: Gateway) -> tuple[Org, Org]:
    po = gateway.make_org("school_po", name="OBS De Hien")
    vo = gateway.make_org("school_vo", name="Da Vinci College")
    enrol(gateway, vo, CHILD)
    return po, vo


def push(gateway: Gateway, po: Org, vo: Org, *, inzage: bool = True, dossier: Any = None) -> Any:
    body = {
        "recipient": vo.id,
        "subject": CHILD,
        "dossier": dossier if dossier is not None else make_dossier(),
        "inzage": INZAGE if inzage else None,
    }
    return gateway.client.post(
        "/v1/transfers", json=body, headers=po.headers(purpose=OVERSTAP, actor="ib-1")
    )


def hook(gateway: Gateway, org: Org, url: str, events: list[str] | None = None) -> str:
    response = gateway.client.post(
        "/v1/webhooks",
        json={"url": url, "events": events or EVENTS},
        headers={**bearer(org), "X-Actor": "beheer-1"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def bearer(org: Org) -> dict[str, str]:
    return {"Authorization": f"Bearer {org.token}"}


def polled(gateway: Gateway, org: Org) -> list[dict[str, Any]]:
    response = gateway.client.get("/v1/notifications", headers=bearer(org))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def counts(gateway: Gateway) -> tuple[int, int]:
    with gateway.services.db.sessions() as session:
        notes = session.scalar(select(func.count()).select_from(Notification)) or 0
        deliveries = session.scalar(select(func.count()).select_from(Delivery)) or 0
    return notes, deliveries


def worker(gateway: Gateway, **values: Any) -> DeliveryWorker:
    """The worker on the gateway's own database, clock and key; settings overridden."""
    made = worker_of(gateway.services)
    if values:
        made.settings = gateway.settings.model_copy(update=values)
    return made


def deliveries(gateway: Gateway, org: Org, status: str | None = None) -> list[dict[str, Any]]:
    query = f"?status={status}" if status else ""
    response = gateway.client.get(f"/v1/webhooks/deliveries{query}", headers=bearer(org))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
