"""Webhooks: only one's own, validated URLs, signed at-least-once delivery with an
idempotency key, backoff, dead letters with an alert, and a replay."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from gateway.core.errors import Unprocessable
from gateway.core.settings import Settings
from gateway.delivery.service import check_url
from gateway.delivery.worker import backoff
from tests.delivery.helpers import (
    bearer,
    deliveries,
    hook,
    polled,
    push,
    schools,
    worker,
)
from tests.support.consent import refresh
from tests.support.gateway import Gateway, audit_log, audited
from tests.support.portal import CHILD, enrol
from tests.support.receiver import Receiver


def test_an_organisation_lists_and_deletes_only_its_own_webhooks(gateway: Gateway) -> None:
    vo = audited(gateway, "school_vo")
    stranger = gateway.make_org("wijkteam")
    made = hook(gateway, vo, "https://zorg.example/hook", ["transfer.available"])
    listed = gateway.client.get("/v1/webhooks", headers=bearer(vo)).json()["items"]
    assert [(h["id"], h["url"], h["events"]) for h in listed] == [
        (made, "https://zorg.example/hook", ["transfer.available"])
    ]
    assert gateway.client.get("/v1/webhooks", headers=bearer(stranger)).json()["items"] == []
    theirs = gateway.client.delete(f"/v1/webhooks/{made}", headers=bearer(stranger))
    unknown = gateway.client.delete("/v1/webhooks/whk_unknown", headers=bearer(stranger))
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["detail"] == unknown.json()["detail"]
    assert gateway.client.delete(f"/v1/webhooks/{made}", headers=bearer(vo)).status_code == 204
    assert gateway.client.get("/v1/webhooks", headers=bearer(vo)).json()["items"] == []
    actions = [(e["action"], e["actor"]) for e in audit_log(gateway, vo)]
    assert ("webhook.register", "beheer-1") in actions
    assert ("webhook.delete", None) in actions


@pytest.mark.parametrize(
    "url",
    [
        "http://zorg.example/hook",  # plain http off loopback
        "https://user:secret@zorg.example/hook",  # credentials end up in logs
        "ftp://zorg.example/hook",
        "/relative/hook",
        "https:///nohost",
        "https://zorg.example/hook#fragment",
        "https://zorg.example/\x00hook",
        "https://zörg.example/hook",
    ],
)
def test_a_webhook_url_must_be_https_without_credentials(gateway: Gateway, url: str) -> None:
    vo = gateway.make_org("school_vo")
    response = gateway.client.post(
        "/v1/webhooks", json={"url": url, "events": ["signal.match"]}, headers=bearer(vo)
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_webhook_url"
    assert "secret" not in response.text


def test_plain_http_to_loopback_is_refused_in_production(tmp_path: Path) -> None:
    production = Settings(environment="production", data_dir=tmp_path)
    development = Settings(data_dir=tmp_path)
    assert check_url("http://127.0.0.1:9/hook", development)
    with pytest.raises(Unprocessable, match="https"):
        check_url("http://127.0.0.1:9/hook", production)
    with pytest.raises(Unprocessable, match="loopback"):
        check_url("https://localhost/hook", production)
    for internal in (
        "https://169.254.169.254/latest",
        "https://10.0.0.7/hook",
        "https://[fd00::1]/",
    ):
        with pytest.raises(Unprocessable, match="internal"):
            check_url(internal, production)
    assert check_url("https://zorg.example/hook", production)


def test_a_receiver_failing_three_times_gets_one_effective_delivery(
    gateway: Gateway, receiver: Receiver
) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, receiver.url)
    receiver.fail_first = 3
    assert push(gateway, po, vo).status_code == 201
    delivering = worker(gateway, delivery_max_attempts=5)
    delivering.rand = lambda: 0.0
    for _ in range(4):
        assert delivering.run_once() == 1
        assert delivering.run_once() == 0  # the retry waits for its backoff
        gateway.clock.advance(timedelta(hours=1))
    refresh(gateway, vo)  # its token expired meanwhile
    keys = receiver.keys()
    (key,) = keys
    assert keys[key] == 4 and receiver.effects[key] == 1
    (note,) = polled(gateway, vo)
    assert key == note["id"]
    assert {p.headers["Webhook-Id"] for p in receiver.posts} == {key}
    (delivered,) = deliveries(gateway, vo)
    assert delivered["status"] == "delivered" and delivered["attempts"] == 4
    history = [(a["number"], a["status_code"], a["outcome"]) for a in delivered["history"]]
    assert history == [
        (1, 503, "failed"),
        (2, 503, "failed"),
        (3, 503, "failed"),
        (4, 204, "delivered"),
    ]
    assert delivered["history"][-1]["next_attempt_at"] is None


def test_the_signature_verifies_with_the_published_jwks_and_fails_when_tampered(
    gateway: Gateway, receiver: Receiver
) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, receiver.url)
    assert push(gateway, po, vo).status_code == 201
    assert worker(gateway).run_once() == 1
    (post,) = receiver.posts
    assert post.headers["Content-Type"] == "application/jose"
    keys = KeySet.import_key_set(gateway.client.get("/.well-known/jwks.json").json())
    token = post.body.decode()
    verified = jws.deserialize_compact(token, keys, algorithms=["Ed25519"])
    assert verified.headers()["kid"] == gateway.keyring.signing.active_kid
    body = json.loads(verified.payload)
    assert body["id"] == post.headers["Idempotency-Key"]
    assert body["event"] == "transfer.available" and body["attempt"] == 1
    for value in (CHILD["bsn"], CHILD["given_name"], CHILD["family_name"]):
        assert value not in verified.payload.decode()
    header, _payload, signature = token.split(".")
    forged = json.loads(jws.extract_compact(token.encode()).payload)
    forged["data"]["transfer_id"] = "tr_someone_elses"
    changed = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(JoseError):
        jws.deserialize_compact(f"{header}.{changed}.{signature}", keys, algorithms=["Ed25519"])


def test_the_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    low = [backoff(n, base=10, cap=300, rand=0.0) for n in range(1, 8)]
    high = [backoff(n, base=10, cap=300, rand=1.0) for n in range(1, 8)]
    assert high == [10, 20, 40, 80, 160, 300, 300]
    assert low == [5, 10, 20, 40, 80, 150, 150]
    assert 5 < backoff(1, base=10, cap=300, rand=0.5) < 10


def test_retries_are_scheduled_by_the_backoff(gateway: Gateway, receiver: Receiver) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, receiver.url)
    receiver.always_fail = True
    assert push(gateway, po, vo).status_code == 201
    delivering = worker(gateway, delivery_backoff_base_seconds=10, delivery_backoff_cap_seconds=25)
    delivering.rand = lambda: 1.0
    waited = []
    for _ in range(4):
        tried_at = gateway.clock.now()
        assert delivering.run_once() == 1
        refresh(gateway, vo)
        (pending,) = deliveries(gateway, vo)
        next_at = datetime.fromisoformat(pending["next_attempt_at"])
        waited.append((next_at - tried_at).total_seconds())
        gateway.clock.advance(timedelta(seconds=30))
    assert waited == [10, 20, 25, 25]


def test_after_the_last_attempt_it_is_dead_lettered_with_an_alert_and_can_be_replayed(
    gateway: Gateway, receiver: Receiver
) -> None:
    po = gateway.make_org("school_po", name="OBS De Hien")
    vo = audited(gateway, "school_vo")
    enrol(gateway, vo, CHILD)
    hook(gateway, vo, receiver.url)
    receiver.always_fail = True
    assert push(gateway, po, vo).status_code == 201
    delivering = worker(gateway, delivery_max_attempts=3)
    for _ in range(5):
        delivering.run_once()
        gateway.clock.advance(timedelta(hours=2))
    assert len(receiver.posts) == 3
    refresh(gateway, vo)
    (dead,) = deliveries(gateway, vo, "dead")
    assert dead["attempts"] == 3 and dead["next_attempt_at"] is None
    assert [a["outcome"] for a in dead["history"]] == ["failed", "failed", "dead"]
    assert deliveries(gateway, vo, "pending") == []
    alerts = [e for e in audit_log(gateway, vo) if e["action"] == "webhook.dead_letter"]
    assert [(a["decision"], a["code"], a["object_id"]) for a in alerts] == [
        ("deny", "delivery_failed", dead["id"])
    ]

    stranger = gateway.make_org("wijkteam")
    url = f"/v1/webhooks/deliveries/{dead['id']}/replay"
    assert gateway.client.post(url, headers=bearer(stranger)).status_code == 404
    assert deliveries(gateway, stranger) == []
    replayed = gateway.client.post(url, headers=bearer(vo))
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["status"] == "pending"
    again = gateway.client.post(url, headers=bearer(vo))
    assert (again.status_code, again.json()["code"]) == (409, "delivery_not_dead")
    receiver.always_fail = False
    assert delivering.run_once() == 1
    (done,) = deliveries(gateway, vo)
    assert done["status"] == "delivered"
    assert len(receiver.keys()) == 1  # the same notification id as before
    assert "webhook.replay" in [e["action"] for e in audit_log(gateway, vo)]


def test_a_crashed_workers_claim_is_retaken_after_its_lease(
    gateway: Gateway, receiver: Receiver
) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, receiver.url)
    assert push(gateway, po, vo).status_code == 201
    crashed = worker(gateway)
    assert len(crashed.claim()) == 1  # claimed, then the process died
    other = worker(gateway)
    assert other.run_once() == 0  # the lease holds
    gateway.clock.advance(timedelta(seconds=gateway.settings.delivery_lease_seconds + 1))
    assert other.run_once() == 1
    assert len(receiver.posts) == 1
    (done,) = deliveries(gateway, vo)
    assert done["status"] == "delivered"


def test_a_stranger_cannot_poll_after_another_organisations_notification(
    gateway: Gateway,
) -> None:
    po, vo = schools(gateway)
    assert push(gateway, po, vo).status_code == 201
    (note,) = polled(gateway, vo)
    stranger = gateway.make_org("wijkteam")
    theirs = gateway.client.get(f"/v1/notifications?after={note['id']}", headers=bearer(stranger))
    assert theirs.status_code == 404
    mine = gateway.client.get(f"/v1/notifications?after={note['id']}", headers=bearer(vo))
    assert mine.json() == {"items": [], "next_after": note["id"]}
    # Not an id at all (the fuzzer sent a NUL, which PostgreSQL cannot compare): 422.
    odd = gateway.client.get("/v1/notifications", params={"after": "^\x00{"}, headers=bearer(vo))
    assert odd.status_code == 422
