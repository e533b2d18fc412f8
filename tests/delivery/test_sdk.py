"""The client package against the real app: tokens by private_key_jwt kept until near
expiry, the webhook receiver's checks and de-duplication, consent receipts."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from joserfc import jws
from joserfc.jwk import OKPKey

from connectors.sdk import GatewayClient, GatewayError, InvalidWebhook, WebhookReceiver
from gateway.delivery.worker import Claimed
from gateway.orgs import service as orgs
from tests.delivery.helpers import push, schools, worker
from tests.support.consent import consent_body, granted
from tests.support.gateway import ISSUER, Gateway
from tests.support.oso import OSO
from tests.support.portal import OVERSTAP, enrol
from tests.support.standing import before_push

POVO_FULL = OSO / "examples" / "Voorbeelddossier_OV_POVO_full.xml"


def keyed_client(gateway: Gateway) -> GatewayClient:
    key = OKPKey.generate_key("Ed25519", auto_kid=True)
    with gateway.services.db.sessions() as session, session.begin():
        registered = orgs.register(
            session,
            name="key school",
            kind="school_vo",
            now=gateway.clock.now(),
            known_kinds=gateway.services.catalog.org_kinds,
            with_secret=False,
            jwks={"keys": [key.as_dict(private=False)]},
        )
    return GatewayClient(
        ISSUER,
        client_id=registered.client_id,
        key=key,
        actor="mentor-1",
        http=gateway.client,
        clock=lambda: gateway.clock.now().timestamp(),
    )


def test_the_token_is_kept_until_shortly_before_it_expires(gateway: Gateway) -> None:
    client = keyed_client(gateway)
    assert client.inbox(purpose=OVERSTAP) == []
    assert client.inbox(purpose=OVERSTAP) == []
    assert client.tokens.fetched == 1
    gateway.clock.advance(timedelta(seconds=gateway.settings.access_token_ttl_seconds - 120))
    client.notifications()
    assert client.tokens.fetched == 1
    gateway.clock.advance(timedelta(seconds=61))  # within the last minute: a new one
    client.notifications()
    assert client.tokens.fetched == 2


def signed(gateway: Gateway) -> tuple[bytes, dict[str, str]]:
    """A notification as the worker posts it."""
    note = {"id": "ntf_1", "event": "signal.match", "created_at": "2016-04-15T09:00:00Z"}
    item = Claimed("dlv_1", 1, "https://x.example", {**note, "data": {"match_id": "vim_1"}})
    body = worker(gateway).signed(item, gateway.clock.now())
    return body, {"Idempotency-Key": "ntf_1", "Webhook-Id": "ntf_1"}


def receiver_for(gateway: Gateway) -> WebhookReceiver:
    return WebhookReceiver(
        lambda: gateway.client.get("/.well-known/jwks.json").json(),
        clock=lambda: gateway.clock.now().timestamp(),
    )


def test_the_receiver_accepts_each_notification_once(gateway: Gateway) -> None:
    receiver = receiver_for(gateway)
    body, headers = signed(gateway)
    note = receiver.accept(body, headers)
    assert note is not None and note.data == {"match_id": "vim_1"}
    assert receiver.accept(body, headers) is None


def test_the_receiver_refuses_what_the_gateway_did_not_sign_as_it_is(gateway: Gateway) -> None:
    receiver = receiver_for(gateway)
    body, headers = signed(gateway)
    header, payload, signature = body.decode().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["data"]["match_id"] = "vim_2"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidWebhook, match="signature"):
        receiver.accept(f"{header}.{forged}.{signature}".encode(), headers)
    with pytest.raises(InvalidWebhook, match="Idempotency-Key"):
        receiver.accept(body, {"Idempotency-Key": "ntf_other"})
    other = OKPKey.generate_key("Ed25519", auto_kid=True)
    stranger = jws.serialize_compact(
        {"alg": "Ed25519", "kid": other.kid, "typ": "notification+jws"},
        base64.urlsafe_b64decode(payload + "=="),
        other,
        algorithms=["Ed25519"],
    )
    with pytest.raises(InvalidWebhook, match="signature"):
        receiver.accept(stranger.encode(), headers)
    gateway.clock.advance(timedelta(hours=1))
    with pytest.raises(InvalidWebhook, match="too long ago"):
        receiver.accept(body, headers)


def test_a_consent_receipt_verifies_and_a_forged_one_does_not(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    created = granted(gateway, school, consent_body([wijkteam.id]))
    client = GatewayClient(
        ISSUER, client_id=school.client_id, secret=school.client_secret, actor="ib-1",
        http=gateway.client,
    )  # fmt: skip
    claims = client.verify_receipt(created["receipt"])
    assert claims["consent_id"] == created["id"] and claims["status"] == "active"
    head, payload, signature = created["receipt"].split(".")
    with pytest.raises(ValueError, match="verify"):
        client.verify_receipt(f"{head}.{payload[:-4]}AAAA.{signature}")


def test_a_json_push_through_the_client(gateway: Gateway) -> None:
    po, vo = schools(gateway)
    assert push(gateway, po, vo).status_code == 201  # standing set up by the harness
    client = GatewayClient(
        ISSUER, client_id=vo.client_id, secret=vo.client_secret, actor="mentor-1",
        http=gateway.client,
    )  # fmt: skip
    (listed,) = client.inbox(purpose=OVERSTAP)
    read = client.read(listed["id"], purpose=OVERSTAP)
    assert read["status"] == "received"
    (note,) = client.notifications()["items"]
    assert note["data"]["transfer_id"] == listed["id"]


def test_an_oso_push_through_the_client(gateway: Gateway) -> None:
    po = gateway.make_org("school_po")
    vo = gateway.make_org("school_vo")
    enrol(gateway, vo, {"bsn": "269326728", "birth_date": "2003-03-17"})
    # The harness gives the sender standing for a push made through its own client.
    kwargs = {"content": POVO_FULL.read_bytes(), "headers": po.headers(purpose=OVERSTAP)}
    before_push(gateway, f"/v1/transfers?recipient={vo.id}", kwargs)
    client = GatewayClient(
        ISSUER, client_id=po.client_id, secret=po.client_secret, actor="ib-1",
        http=gateway.client,
    )  # fmt: skip
    created = client.push_oso(POVO_FULL.read_bytes(), recipient=vo.id, purpose=OVERSTAP)
    assert created["status"] == "awaiting_inzage"
    reader = GatewayClient(
        ISSUER, client_id=vo.client_id, secret=vo.client_secret, actor="mentor-1",
        http=gateway.client,
    )  # fmt: skip
    with pytest.raises(GatewayError) as refused:
        reader.read(created["id"], purpose=OVERSTAP)
    assert (refused.value.status, refused.value.code) == (409, "inzage_missing")
