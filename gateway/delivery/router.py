"""HTTP for webhooks, their deliveries and the notification poll.

Connecting a system touches no personal data: the bearer token's organisation
(scope transfers:read) is enough, and no X-Purpose is asked. An optional `X-Actor`
names the person who registered or replayed, or the system that polled, on the audit log. Another
organisation's webhook or delivery is a 404, the same as an id that never existed.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response

from gateway.core.context import ACTOR_RE, Principal
from gateway.core.errors import BadRequest
from gateway.core.fields import BSN_SHAPED
from gateway.core.idempotency import run_once
from gateway.core.routing import OneTripRoute
from gateway.delivery import poll, service
from gateway.delivery.models import Delivery, DeliveryAttempt, Webhook
from gateway.delivery.outbox import payload
from gateway.delivery.schemas import (
    DeliveryList,
    DeliveryRead,
    DeliveryStatus,
    NotificationPage,
    WebhookCreate,
    WebhookList,
    WebhookRead,
)
from gateway.deps import ServicesDep, SessionDep, require_scope

router = APIRouter(tags=["webhooks"], route_class=OneTripRoute)
Owner = Annotated[Principal, Depends(require_scope("transfers:read"))]
ID_PATTERN = r"^[A-Za-z0-9_-]{1,40}$"
Id = Annotated[str, Path(max_length=40, pattern=ID_PATTERN)]
NOT_YOURS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such id, or another organisation's: the same answer."}
}


def _actor(x_actor: Annotated[str | None, Header()] = None) -> str | None:
    if x_actor is not None and (not ACTOR_RE.fullmatch(x_actor) or BSN_SHAPED.search(x_actor)):
        raise BadRequest("X-Actor must be an opaque id.", code="context_invalid")
    return x_actor


Actor = Annotated[str | None, Depends(_actor)]


def _request_id(request: Request) -> str | None:
    found = request.scope.get("state", {}).get("request_id")
    return str(found) if found else None


def _webhook(hook: Webhook) -> dict[str, Any]:
    read = WebhookRead(id=hook.id, url=hook.url, events=hook.events, created_at=hook.created_at)
    return read.model_dump(mode="json")


def _delivery(found: Delivery, event: str, tries: list[DeliveryAttempt]) -> dict[str, Any]:
    history = [
        {
            "number": t.number,
            "at": t.at,
            "status_code": t.status_code,
            "outcome": t.outcome,
            "error": t.error,
            "next_attempt_at": t.next_attempt_at,
        }
        for t in tries
    ]
    return DeliveryRead.model_validate(
        {
            "id": found.id,
            "webhook_id": found.webhook_id,
            "notification_id": found.notification_id,
            "event": event,
            "status": found.status,
            "attempts": found.attempts,
            "last_status_code": found.last_status_code,
            "next_attempt_at": found.next_attempt_at,
            "delivered_at": found.delivered_at,
            "created_at": found.created_at,
            "history": history,
        }
    ).model_dump(mode="json")


@router.post(
    "/v1/webhooks",
    status_code=201,
    response_model=WebhookRead,
    responses={422: {"description": "invalid_webhook_url, too_many_webhooks."}},
    summary="Register a webhook for notifications (transfer.available, consent.withdrawn, "
    "signal.match)",
    description="Each notification is POSTed as a compact JWS (`application/jose`) signed "
    "with the gateway's key (`/.well-known/jwks.json`), with `Idempotency-Key` and "
    "`Webhook-Id` (the notification id, the same on every attempt) and `Webhook-Timestamp`. "
    "A 2xx answer delivers it; anything else is retried with backoff, then dead-lettered.",
)
def register(
    body: WebhookCreate,
    request: Request,
    session: SessionDep,
    principal: Owner,
    actor: Actor,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    now = services.clock.now()

    def act() -> tuple[int, dict[str, Any]]:
        hook = service.register(
            session,
            principal=principal,
            actor=actor,
            url=body.url,
            events=body.events,
            settings=services.settings,
            version=services.catalog.version,
            now=now,
            request_id=_request_id(request),
        )
        return 201, _webhook(hook)

    raw = body.model_dump_json().encode()
    return run_once(
        session,
        org_id=principal.org_id,
        key=idempotency_key,
        request_fingerprint=lambda: hashlib.sha256(b"POST /v1/webhooks\0" + raw).hexdigest(),
        now=now,
        act=act,
    )


@router.get("/v1/webhooks", response_model=WebhookList, summary="Your webhooks")
def own(session: SessionDep, principal: Owner) -> dict[str, Any]:
    return {"items": [_webhook(h) for h in service.own(session, principal.org_id)]}


@router.get(
    "/v1/webhooks/deliveries",
    response_model=DeliveryList,
    summary="Your webhook deliveries, newest first; `status=dead` for the dead letters",
)
def deliveries(
    session: SessionDep,
    principal: Owner,
    status: Annotated[DeliveryStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    rows = service.deliveries(session, org_id=principal.org_id, status=status, limit=limit)
    return {"items": [_delivery(d, event, tries) for d, event, tries in rows]}


@router.post(
    "/v1/webhooks/deliveries/{delivery_id}/replay",
    response_model=DeliveryRead,
    responses={**NOT_YOURS, 409: {"description": "delivery_not_dead"}},
    summary="Try a dead delivery again, from its first attempt",
)
def replay(
    delivery_id: Id,
    request: Request,
    session: SessionDep,
    principal: Owner,
    actor: Actor,
    services: ServicesDep,
) -> dict[str, Any]:
    found = service.replay(
        session,
        principal=principal,
        actor=actor,
        delivery_id=delivery_id,
        version=services.catalog.version,
        now=services.clock.now(),
        request_id=_request_id(request),
    )
    rows = service.deliveries(session, org_id=principal.org_id, status="pending", limit=500)
    event = next((e for d, e, _ in rows if d.id == found.id), "")
    return _delivery(found, event, [])


@router.delete(
    "/v1/webhooks/{webhook_id}",
    status_code=204,
    responses=NOT_YOURS,
    summary="Delete your webhook; what was pending for it is not sent",
)
def delete(
    webhook_id: Id,
    request: Request,
    session: SessionDep,
    principal: Owner,
    actor: Actor,
    services: ServicesDep,
) -> Response:
    service.delete(
        session,
        principal=principal,
        actor=actor,
        webhook_id=webhook_id,
        version=services.catalog.version,
        now=services.clock.now(),
        request_id=_request_id(request),
    )
    return Response(status_code=204)


@router.get(
    "/v1/notifications",
    response_model=NotificationPage,
    responses=NOT_YOURS,
    summary="Poll your notifications, oldest first, after the last one you saw",
    description="The same notifications the webhooks carry, for a system that cannot "
    "receive them. `after`: the id of the last one seen (404 if it is not yours). A poll "
    "that returns notifications is on the audit log (`notification.poll`, the run of ids "
    "handed over); an empty one is not. An `after` that is not yours is a refusal on the "
    "log too, the same for another organisation's id as for one that never existed.",
)
def notifications(
    request: Request,
    session: SessionDep,
    principal: Owner,
    actor: Actor,
    services: ServicesDep,
    after: Annotated[str | None, Query(max_length=40, pattern=ID_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    notes = poll.poll(
        session,
        org_id=principal.org_id,
        actor=actor,
        after=after,
        limit=limit,
        catalog=services.catalog,
        now=services.clock.now(),
        request_id=_request_id(request),
    )
    items = [payload(n) for n in notes]
    page = {"items": items, "next_after": notes[-1].id if notes else after}
    return NotificationPage.model_validate(page).model_dump(mode="json")
