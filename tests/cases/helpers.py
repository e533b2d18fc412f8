"""A knooppunt case at the table: a school that starts it, partners, entries, consents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from httpx2 import Response

from tests.support.consent import consent_body, granted, guardian, parent, pupil_aged
from tests.support.gateway import Gateway, Org, audited, lawful_dossier
from tests.support.standing import to_start

PURPOSE = "knooppunt.casus"
PUPIL = pupil_aged(10)


def headers(org: Org, actor: str = "ib-1", role: str | None = None) -> dict[str, str]:
    return org.headers(purpose=PURPOSE, actor=actor, role=role)


def start(gateway: Gateway, org: Org, kind: str = "knooppunt") -> str:
    """`org` starts a case about the pupil; it is involved with them first, as the
    catalog asks of whoever starts one (tests/cases/test_standing.py is about that)."""
    to_start(gateway, org, PUPIL)
    response = gateway.client.post(
        "/v1/cases",
        json={"subject": PUPIL, "kind": kind, "title": "Zorgen om Sam de Vries"},
        headers=headers(org, role="intern_begeleider"),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def join(gateway: Gateway, case_id: str, by: Org, org: Org, *, mandate: bool = True) -> Response:
    return gateway.client.post(
        f"/v1/cases/{case_id}/participants",
        json={"org": org.id, "role": "deelnemer", "person": f"p-{org.kind}", "mandate": mandate},
        headers=headers(by),
    )


def write(gateway: Gateway, case_id: str, org: Org, category: str, content: Any = None) -> Response:
    body = {"category": category, "content": lawful_dossier([category])[category]}
    if content is not None:
        body["content"] = content
    # Entries are listed in the order written: a second apart, as at a real table.
    gateway.clock.advance(timedelta(seconds=1))
    return gateway.client.post(f"/v1/cases/{case_id}/entries", json=body, headers=headers(org))


def wrote(gateway: Gateway, case_id: str, org: Org, category: str) -> str:
    response = write(gateway, case_id, org, category)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def listed(gateway: Gateway, case_id: str, org: Org) -> list[str]:
    """The categories the org sees in the case, in order."""
    response = gateway.client.get(f"/v1/cases/{case_id}/entries", headers=headers(org))
    assert response.status_code == 200, response.text
    return [item["category"] for item in response.json()["items"]]


def case_consent(
    gateway: Gateway,
    by: Org,
    recipients: list[Org],
    categories: tuple[str, ...],
    case_id: str | None,
) -> str:
    extra = {} if case_id is None else {"case_id": case_id}
    body = consent_body(
        [org.id for org in recipients],
        subject=PUPIL,
        purpose=PURPOSE,
        categories=categories,
        granted_by=[parent(), guardian()],
        **extra,
    )
    return str(granted(gateway, by, body)["id"])


@dataclass
class Table:
    """A case started by a school, with a wijkteam and leerplicht at the table."""

    school: Org
    wijkteam: Org
    leerplicht: Org
    case_id: str


def table(gateway: Gateway) -> Table:
    school = audited(gateway, "school_po")
    wijkteam = audited(gateway, "wijkteam")
    leerplicht = gateway.make_org("leerplicht")
    case_id = start(gateway, school)
    for org in (wijkteam, leerplicht):
        response = join(gateway, case_id, school, org)
        assert response.status_code == 201, response.text
    return Table(school, wijkteam, leerplicht, case_id)
