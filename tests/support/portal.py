"""A small region for portal tests: a PO school, a VO school, a wijkteam and one pupil.

The school registers the parent's gezag, the VO school the aanmelding, and the PO
school pushes the overstapdossier, which waits for the parents' inzage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from tests.support import consent as consent_support
from tests.support.gateway import Gateway, Org, make_dossier
from tests.support.standing import to_start

# Born 1 September 2004: 11 on the harness's date (15 April 2016), in groep 8.
CHILD = {
    "bsn": "111222333",
    "birth_date": "2004-09-01",
    "given_name": "Sam",
    "family_name": "de Vries",
}
REFERRAL = "jeugdhulp.verwijzing"
OVERSTAP = "overdracht.po_vo"


@dataclass
class Region:
    po: Org
    vo: Org
    wijkteam: Org
    transfer_id: str


def make_region(gateway: Gateway, parent_bsn: str, child: dict[str, str] | None = None) -> Region:
    child = child or CHILD
    po = gateway.make_org("school_po", name="OBS De Hien")
    vo = gateway.make_org("school_vo", name="Da Vinci College")
    wijkteam = gateway.make_org("wijkteam", name="Sociaal Wijkteam Dordrecht")
    register_gezag(gateway, po, child, parent_bsn)
    enrol(gateway, vo, child)
    pushed = push_dossier(gateway, po, vo, child)
    assert pushed["status"] == "awaiting_inzage", pushed
    return Region(po, vo, wijkteam, pushed["id"])


def enrol(gateway: Gateway, vo: Org, child: dict[str, str]) -> None:
    """The aanmelding at the VO school, which opens the overstap flow."""
    enrolled = gateway.client.post(
        "/v1/enrolments",
        json={"subject": child, "status": "aangemeld"},
        headers=vo.headers(purpose=OVERSTAP, actor="admin-vo", role="zorgcoordinator"),
    )
    assert enrolled.status_code == 201, enrolled.text


def register_gezag(
    gateway: Gateway, school: Org, child: dict[str, str], parent_bsn: str, *, has: bool = True
) -> None:
    person = {"bsn": parent_bsn, "name": "Jolanda de Vries", "role": "parent"}
    response = consent_support.register_gezag(gateway, school, child, person, has=has)
    assert response.status_code == 201, response.text


def push_dossier(gateway: Gateway, po: Org, vo: Org, child: dict[str, str]) -> dict[str, Any]:
    response = gateway.client.post(
        "/v1/transfers",
        json={"recipient": vo.id, "subject": child, "dossier": make_dossier()},
        headers=po.headers(purpose=OVERSTAP, actor="ib-1", role="ib"),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def targets(html: str) -> list[str]:
    """Every URL a page links to or posts to."""
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def child_url(client: TestClient) -> str:
    """The child's page, found the way a parent finds it: on the children overview."""
    overview = client.get("/portaal/kinderen")
    assert overview.status_code == 200, overview.text
    found = [url for url in targets(overview.text) if url.startswith("/portaal/kind/")]
    assert len(found) == 1, found
    return found[0]


# ---- A knooppunt case about a pupil, as the professionals start and fill it (API) ----
CASE = "knooppunt.casus"
# The table's agreements, as `knooppunt_afspraken` holds them: parties by place, no names.
AGREEMENTS = {
    "afspraken": "Sam begint elke dag met een kort gesprek met de juf.",
    "regie": "wijkteam",
    "evaluatie": "2016-10-01",
    "interventies": [
        {"domein": "onderwijs", "plaats": "school", "eigenaar": "school", "datum": "2016-05-01"},
        {"domein": "zorg", "plaats": "thuis", "eigenaar": "wijkteam"},
    ],
    "besluiten": [{"datum": "2016-04-15", "deelnemers": ["ouders", "school", "wijkteam"]}],
}


# Who speaks for each organisation at the table (the catalog's roles).
ROLE_OF = {
    "school_po": "ib",
    "school_vo": "zorgcoordinator",
    "wijkteam": "jeugdprofessional",
    "leerplicht": "leerplichtambtenaar",
    "smw": "schoolmaatschappelijk_werker",
}


def case_headers(org: Org) -> dict[str, str]:
    return org.headers(purpose=CASE, actor=f"p-{org.kind}", role=ROLE_OF.get(org.kind))


def start_case(gateway: Gateway, school: Org, child: dict[str, str]) -> str:
    # The school has the child enrolled, as the catalog asks of whoever starts a case.
    to_start(gateway, school, child)
    response = gateway.client.post(
        "/v1/cases",
        json={"subject": child, "kind": "knooppunt", "title": "Zorgen om de schooldag"},
        headers=case_headers(school),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def join_case(
    gateway: Gateway, case_id: str, by: Org, org: Org, role: str, *, mandate: bool = True
) -> None:
    response = gateway.client.post(
        f"/v1/cases/{case_id}/participants",
        json={"org": org.id, "role": role, "person": f"p-{org.kind}", "mandate": mandate},
        headers=case_headers(by),
    )
    assert response.status_code == 201, response.text


def write_case_entry(gateway: Gateway, case_id: str, org: Org, category: str, content: Any) -> str:
    response = gateway.client.post(
        f"/v1/cases/{case_id}/entries",
        json={"category": category, "content": content},
        headers=case_headers(org),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def case_links(html: str) -> list[str]:
    """The case pages a child's page links to."""
    return [url for url in targets(html) if "/overleg/" in url]
