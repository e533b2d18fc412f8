"""A gateway under test: the real app on a real database, with small make_* helpers."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from gateway.core.clock import FixedClock
from gateway.core.settings import Settings
from gateway.crypto.keyring import Keyring
from gateway.crypto.keys import InMemoryKeyProvider
from gateway.crypto.secrets import SecretBytes
from gateway.crypto.signing import SigningKeys
from gateway.deps import Services
from gateway.main import build_services, create_app
from gateway.orgs import service as orgs
from gateway.orgs.scopes import default_scopes
from policies.loader import load_catalog

# The OSO example dossiers are dated early 2016: the pupil is then in groep 8.
START = datetime(2016, 4, 15, 9, 0, tzinfo=UTC)
ISSUER = "http://gateway.test"


@dataclass
class Org:
    id: str
    kind: str
    client_id: str
    client_secret: str
    token: str = field(repr=False)

    def headers(
        self, purpose: str = "overdracht.po_vo", actor: str = "actor-1", role: str | None = None
    ) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}", "X-Purpose": purpose, "X-Actor": actor}
        if role:
            headers["X-Actor-Role"] = role
        return headers


class Gateway:
    def __init__(self, database_url: str, data_dir: Any, **overrides: Any) -> None:
        values: dict[str, Any] = {"issuer": ISSUER, "log_json": True, **overrides}
        self.settings = Settings(database_url=database_url, data_dir=data_dir, **values)
        self.clock = FixedClock(START)
        self.keyring = make_keyring()
        self.services: Services = build_services(
            self.settings, clock=self.clock, keyring=self.keyring
        )
        self.app = create_app(self.settings, services=self.services)
        self.client = _Client(self.app, raise_server_exceptions=False)
        self.client.gateway = self
        # Every organisation made here, so a push's bearer token names its sender.
        self.orgs: list[Org] = []
        # Tests about something else send as parties with standing: before a push, its
        # sender gets the relation with the pupil its flow asks, before starting a case,
        # the creator the standing the catalog asks of it (tests/support/standing.py).
        # A test about that standing itself turns this off.
        self.auto_standing = True

    def close(self) -> None:
        self.client.close()
        self.services.db.dispose()

    def internal_ref(self, org: Org, subject_ref: str) -> str:
        """The gateway's own ref behind the pseudonym `org` was given for a pupil."""
        found = self.keyring.pseudonyms.from_org(subject_ref, org.id)
        if found is None:
            raise AssertionError(f"{subject_ref} is not a pseudonym issued to {org.id}")
        return found

    def make_org(
        self, kind: str, *, name: str | None = None, scopes: list[str] | None = None
    ) -> Org:
        with self.services.db.sessions() as session, session.begin():
            registered = orgs.register(
                session,
                name=name or f"test {kind}",
                kind=kind,
                now=self.clock.now(),
                known_kinds=self.services.catalog.org_kinds,
                scopes=scopes,
            )
        secret = registered.client_secret or ""
        token = self.token(registered.client_id, secret)
        org = Org(registered.org.id, kind, registered.client_id, secret, token)
        self.orgs.append(org)
        return org

    def token(self, client_id: str, secret: str, scope: str | None = None) -> str:
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        response = self.client.post(
            "/oauth/token", data=form, headers={"Authorization": f"Basic {basic}"}
        )
        if response.status_code != 200:
            raise AssertionError(f"token request failed: {response.text}")
        return str(response.json()["access_token"])


class _Client(TestClient):
    """The test client; a push first gives its sender standing, unless turned off."""

    gateway: Gateway

    def post(self, url: Any, *args: Any, **kwargs: Any) -> Any:
        path = str(url).split("?")[0]
        if self.gateway.auto_standing and path == "/v1/transfers":
            from tests.support.standing import before_push

            before_push(self.gateway, str(url), kwargs)
        if self.gateway.auto_standing and path == "/v1/cases":
            from tests.support.standing import before_case

            before_case(self.gateway, kwargs)
        return super().post(url, *args, **kwargs)


REGISTRATION = "leerling.inschrijving"
OFFICER = {"purpose": "audit.toezicht", "actor": "fg-1"}


def audited(gateway: Gateway, kind: str) -> Org:
    """An organisation of `kind` whose privacy officer may read its audit log."""
    return gateway.make_org(kind, scopes=[*default_scopes(kind), "audit:read"])


def audit_log(gateway: Gateway, officer: Org) -> list[dict[str, Any]]:
    """The audit entries the organisation's privacy officer sees, newest first."""
    response = gateway.client.get("/v1/audit/events", headers=officer.headers(**OFFICER))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def enrol_pupil(gateway: Gateway, school: Org, subject: dict[str, str]) -> None:
    """The school registers its own pupil, which makes it the party that states the
    pupil's facts and gezag (DOMAIN §7); a pupil already enrolled there stays so."""
    response = gateway.client.post(
        "/v1/enrolments",
        json={"subject": subject, "status": "ingeschreven"},
        headers=school.headers(purpose=REGISTRATION, actor="admin-1", role="directeur"),
    )
    if response.status_code == 409 and response.json()["code"] == "enrolment_exists":
        return
    assert response.status_code == 201, response.text


def make_keyring() -> Keyring:
    return Keyring.from_parts(
        InMemoryKeyProvider(),
        SecretBytes(os.urandom(32)),
        SigningKeys.generate(),
        SecretBytes(os.urandom(32)),
    )


def make_subject(bsn: str = "111222333", birth_date: str = "2004-02-29") -> dict[str, str]:
    return {"bsn": bsn, "birth_date": birth_date}


def lawful_dossier(categories: Iterable[str]) -> dict[str, Any]:
    """A JSON dossier of `categories`, each holding the example that fits its fields in
    the catalog; a category the catalog does not know gets an empty object."""
    known = load_catalog().taxonomy.categories
    return {c: known[c].example if c in known else {} for c in categories}


def make_dossier() -> dict[str, object]:
    """A minimal POVO dossier in JSON: the mandatory categories and one optional."""
    return {
        "school": {"naam": "OBS De Hien", "brin": "12AB"},
        "leerling": {"roepnaam": "Sam"},
        "oudersverzorgers": [{"relatie": "moeder"}],
        "schoolloopbaan": [{"groep": 8}],
        "overstapadvies": {"advies": "havo/vwo"},
        "toetsresultaten": [{"toets": "rekenen", "niveau": "1F"}],
    }
