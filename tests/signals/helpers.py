"""The verwijsindex under test: reporters, children of an age, signals, the sweep."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx2 import Response

from gateway.deps import edges_of
from gateway.signals import jobs
from gateway.signals.guards import INDEX
from gateway.signals.jobs import Swept
from tests.support.consent import born_aged
from tests.support.gateway import Gateway, Org, audited, enrol_pupil
from tests.support.standing import stand

SIGNAL, MATCH = "verwijsindex.signaal", "verwijsindex.match"
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
# Every key a verwijsindex response may carry: ids, organisations, contact, dates.
ALLOWED_KEYS = {
    "id", "matches", "signal_id", "org", "contact", "name", "phone", "email", "since",
    "items", "kind", "other", "regie", "status", "created_at", "expires_at", "informed",
    "match_id", "archived_at",
}  # fmt: skip
PROBLEM_KEYS = {
    "type", "title", "status", "detail", "code", "decision", "errors", "loc", "effect",
    "flow", "legal_basis", "rule", "reasons", "obligations", "policy_version", "released",
    "retention",
}  # fmt: skip


def bsn(n: int) -> str:
    """The n-th valid BSN of the tests (11-proef), distinct for distinct n."""
    while True:
        head = f"{n:08d}"[-8:]
        last = sum(int(d) * w for d, w in zip(head, _WEIGHTS, strict=True)) % 11
        if last < 10 and head != "00000000":
            return head + str(last)
        n += 10_000_000


def contact(name: str = "Ilse Bakker") -> dict[str, str]:
    return {"name": name, "phone": "+31 78 123 4567", "email": "ilse@example.org"}


def headers(org: Org, purpose: str = SIGNAL, actor: str = "prof-1") -> dict[str, str]:
    return org.headers(purpose=purpose, actor=actor)


def reporter(gateway: Gateway, kind: str) -> Org:
    """A reporting organisation whose privacy officer reads its audit log."""
    return audited(gateway, kind)


def child(gateway: Gateway, school: Org, n: int, age: int, **birthday: int) -> str:
    """A child enrolled at `school` (which states its birth date), `age` on START."""
    number = bsn(n)
    enrol_pupil(gateway, school, {"bsn": number, "birth_date": born_aged(age, **birthday)})
    return number


def signal(
    gateway: Gateway,
    org: Org,
    subject: str,
    *,
    household: list[str] | None = None,
    name: str = "Ilse Bakker",
    actor: str = "prof-1",
) -> Response:
    body: dict[str, Any] = {"subject": subject, "contact": contact(name)}
    if gateway.auto_standing:
        # The reporter is involved with the child, as the catalog's route asks.
        stand(gateway, org, {"bsn": subject}, SIGNAL, INDEX)
    if household is not None:
        body["household"] = [{"bsn": b} for b in household]
    return gateway.client.post("/v1/signals", json=body, headers=headers(org, actor=actor))


def signalled(gateway: Gateway, org: Org, subject: str, **kwargs: Any) -> dict[str, Any]:
    response = signal(gateway, org, subject, **kwargs)
    assert response.status_code == 201, response.text
    assert_no_content(response, subject, *kwargs.get("household") or ())
    body: dict[str, Any] = response.json()
    return body


def matches(gateway: Gateway, org: Org) -> list[dict[str, Any]]:
    response = gateway.client.get("/v1/signals/matches", headers=headers(org, MATCH))
    assert response.status_code == 200, response.text
    assert_no_content(response)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def withdraw(gateway: Gateway, org: Org, signal_id: str, reason: str) -> Response:
    response = gateway.client.request(
        "DELETE", f"/v1/signals/{signal_id}", json={"reason": reason}, headers=headers(org)
    )
    assert_no_content(response)
    return response


def sweep(gateway: Gateway) -> Swept:
    services = gateway.services
    return jobs.run(services.db, lambda: edges_of(services), services.settings)


def keys_of(value: Any) -> set[str]:
    """Every key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def assert_no_content(response: Response, *secrets: str) -> None:
    """Only the allowed keys; no BSN, pseudonym or reason anywhere in the body."""
    body = response.json() if response.content else {}
    allowed = ALLOWED_KEYS | (PROBLEM_KEYS if response.status_code >= 400 else set())
    assert keys_of(body) <= allowed, keys_of(body) - allowed
    text = response.text
    for secret in secrets:
        assert secret not in text
    assert "subject_ref" not in text and "ps_" not in text and "sr_" not in text
    assert "vc_" not in text and "vp_" not in text


def later(gateway: Gateway, delta: timedelta, *orgs: Org) -> None:
    """The clock moves on; the organisations fetch fresh tokens, as a client would."""
    gateway.clock.advance(delta)
    for org in orgs:
        org.token = gateway.token(org.client_id, org.client_secret)
