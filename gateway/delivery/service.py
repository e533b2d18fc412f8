"""An organisation's webhooks and their deliveries: registered, listed, replayed.

Only its own: another organisation's webhook or delivery is a 404, the answer for an
id that never existed. Registering, deleting and replaying are acts on the audit log,
as is a delivery given up (the alert); none of them concerns a pupil. A poll that hands
notifications over is one too (`gateway.delivery.poll`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.core.context import Principal
from gateway.core.errors import Conflict, NotFound, Unprocessable
from gateway.core.settings import LOOPBACK_HOSTS, Settings
from gateway.delivery import addresses
from gateway.delivery.models import Delivery, DeliveryAttempt, Notification, Webhook
from gateway.delivery.outbox import new_id
from policies.model import Decision, Effect

# Connecting the organisation's own system is no exchange of personal data: logged
# under this purpose, with no legal basis for a flow to name.
PURPOSE = "koppeling.webhooks"
STATUSES = ("pending", "delivered", "dead")
MAX_WEBHOOKS = 10


def decision(
    effect: Effect, rule: str, reason: str, version: str, code: str | None = None
) -> Decision:
    return Decision(
        effect=effect,
        code=code,
        flow=None,
        legal_basis=None,
        rule=f"{PURPOSE}/{rule}",
        reasons=(reason,),
        obligations=(),
        policy_version=version,
    )


def log(
    session: Session,
    *,
    org_id: str,
    actor: str | None,
    action: str,
    object_id: str | None,
    decided: Decision,
    now: datetime,
    request_id: str | None = None,
    subject_ref: str | None = None,
) -> None:
    event = AuditEvent(
        org=org_id,
        actor=actor,
        actor_role=None,
        purpose=PURPOSE,
        action=action,
        decision=decided,
        subject_ref=subject_ref,
        object_id=object_id,
        request_id=request_id,
    )
    audit.append(session, event, now=now)


def check_url(url: str, settings: Settings) -> str:
    """https on a named host; plain http only to loopback outside production. No
    credentials in it (the URL is listed back and would carry them into logs). In
    production no host of the gateway's own network: no loopback, private or
    link-local address (also inside an IPv6 one), no number inet_aton would read as
    one (`2130706433`, `127.1`), no local name (`localhost`, `*.internal`, a single
    label). A name is judged again by what it resolves to when posted (the worker)."""
    if not url.isascii() or not url.isprintable():
        raise _bad_url("The webhook URL must be printable ASCII (punycode for other names).")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _bad_url("The webhook URL cannot be parsed.") from exc
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host or len(url) > 2000:
        raise _bad_url("The webhook URL must be an absolute https URL.")
    if parts.username is not None or parts.password is not None:
        raise _bad_url("The webhook URL must not carry credentials.")
    if parts.fragment or any(c.isspace() for c in url) or port == 0:
        raise _bad_url("The webhook URL must not carry a fragment, spaces or port 0.")
    host = addresses.normal_host(host)
    if addresses.numeric_host(host):
        raise _bad_url("The webhook URL's host must be a name or a canonical IP address.")
    address = addresses.literal(host)
    loopback = host in LOOPBACK_HOSTS or (address is not None and address.is_loopback)
    if parts.scheme == "http" and not (loopback and settings.environment == "development"):
        raise _bad_url(
            "The webhook URL must be https (plain http only to loopback in development)."
        )
    if settings.environment != "production":
        return url
    if loopback or host.endswith(".localhost"):
        raise _bad_url("A loopback webhook URL is refused in production.")
    if address is not None and addresses.forbidden(address):
        raise _bad_url("A webhook URL naming an internal address is refused in production.")
    if address is None and (
        addresses.internal_name(host) or addresses.names_internal_address(host)
    ):
        raise _bad_url("A webhook URL naming an internal host is refused in production.")
    return url


def _bad_url(detail: str) -> Unprocessable:
    return Unprocessable(detail, code="invalid_webhook_url")


def register(
    session: Session,
    *,
    principal: Principal,
    actor: str | None,
    url: str,
    events: Sequence[str],
    settings: Settings,
    version: str,
    now: datetime,
    request_id: str | None,
) -> Webhook:
    check_url(url, settings)
    if len(own(session, principal.org_id)) >= MAX_WEBHOOKS:
        raise Unprocessable(
            f"An organisation registers at most {MAX_WEBHOOKS} webhooks.", code="too_many_webhooks"
        )
    hook = Webhook(
        id=new_id("whk"),
        org_id=principal.org_id,
        url=url,
        events=sorted(set(events)),
        created_at=now,
        deleted_at=None,
    )
    session.add(hook)
    session.flush()
    permit = decision("permit", "register", "The organisation connects its own system.", version)
    log(
        session,
        org_id=principal.org_id,
        actor=actor,
        action="webhook.register",
        object_id=hook.id,
        decided=permit,
        now=now,
        request_id=request_id,
    )
    return hook


def own(session: Session, org_id: str) -> list[Webhook]:
    query = (
        select(Webhook)
        .where(Webhook.org_id == org_id, Webhook.deleted_at.is_(None))
        .order_by(Webhook.created_at, Webhook.id)
    )
    return list(session.scalars(query))


def delete(
    session: Session,
    *,
    principal: Principal,
    actor: str | None,
    webhook_id: str,
    version: str,
    now: datetime,
    request_id: str | None,
) -> None:
    """Deletes the organisation's webhook; what was still pending for it is not sent."""
    hook = session.get(Webhook, webhook_id)
    if hook is None or hook.org_id != principal.org_id or hook.deleted_at is not None:
        raise NotFound("No such webhook.")
    hook.deleted_at = now
    session.execute(
        update(Delivery)
        .where(Delivery.webhook_id == hook.id, Delivery.status == "pending")
        .values(status="dead", next_attempt_at=None, claimed_by=None, claimed_until=None)
    )
    permit = decision("permit", "delete", "The organisation disconnects its own system.", version)
    log(
        session,
        org_id=principal.org_id,
        actor=actor,
        action="webhook.delete",
        object_id=hook.id,
        decided=permit,
        now=now,
        request_id=request_id,
    )


def deliveries(
    session: Session, *, org_id: str, status: str | None, limit: int
) -> list[tuple[Delivery, str, list[DeliveryAttempt]]]:
    """The organisation's deliveries, newest first, each with its event and attempts."""
    query = (
        select(Delivery, Notification.event)
        .join(Notification, Notification.id == Delivery.notification_id)
        .where(Delivery.org_id == org_id)
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(Delivery.status == status)
    rows = [(d, event) for d, event in session.execute(query)]
    ids = [d.id for d, _ in rows]
    tries: dict[str, list[DeliveryAttempt]] = {i: [] for i in ids}
    if ids:
        found = select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids))
        for attempt in session.scalars(found.order_by(DeliveryAttempt.number)):
            tries[attempt.delivery_id].append(attempt)
    return [(d, event, tries[d.id]) for d, event in rows]


def replay(
    session: Session,
    *,
    principal: Principal,
    actor: str | None,
    delivery_id: str,
    version: str,
    now: datetime,
    request_id: str | None,
) -> Delivery:
    """A dead delivery tried again from the first attempt, to a webhook still there;
    it keeps its notification's id, so a receiver that had it already ignores it."""
    found = session.get(Delivery, delivery_id)
    if found is None or found.org_id != principal.org_id:
        raise NotFound("No such delivery.")
    hook = session.get(Webhook, found.webhook_id)
    if found.status != "dead" or hook is None or hook.deleted_at is not None:
        raise Conflict(
            "Only a dead delivery to a webhook still registered is replayed.",
            code="delivery_not_dead",
        )
    found.status, found.attempts, found.next_attempt_at = "pending", 0, now
    found.claimed_by = found.claimed_until = None
    permit = decision(
        "permit", "replay", "The organisation asks for a failed delivery again.", version
    )
    log(
        session,
        org_id=principal.org_id,
        actor=actor,
        action="webhook.replay",
        object_id=found.id,
        decided=permit,
        now=now,
        request_id=request_id,
    )
    return found
