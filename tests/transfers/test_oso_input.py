"""An XSD-valid OSO dossier is still input: its pupil is held to the rules of a JSON one.

The XSD takes any BSN, any length of name and any date. Each refusal is a 422 naming
the element, never its content, nothing is stored, and no log line quotes it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import func, select

from connectors.oso import parse_dossier
from connectors.oso.xsd import qualify
from gateway.core.errors import Unprocessable
from gateway.subjects.models import Subject
from gateway.transfers import formats
from gateway.transfers.models import Transfer
from tests.support import oso
from tests.support.consent import refresh
from tests.support.gateway import Gateway, Org, make_dossier
from tests.support.portal import enrol

POVO_FULL = oso.EXAMPLES / "Voorbeelddossier_OV_POVO_full.xml"
# The example's pupil, born 17 March 2003: 13 on the harness's date (15 April 2016).
PUPIL = {"bsn": "269326728", "birth_date": "2003-03-17"}
XML = {"Content-Type": "application/xml"}
# 9 digits failing the 11-proef, and a name no test data holds: neither may leak.
MARKER_BSN = "987654320"
MARKER_NAME = "Zyxwqmarker"


def povo(**leerling: str) -> bytes:
    """The POVO example with some of its leerling's elements rewritten."""
    root = etree.fromstring(POVO_FULL.read_bytes())
    pupil = root.find(qualify("huidigeschool/leerling"))
    assert pupil is not None
    for name, text in leerling.items():
        element = pupil.find(qualify(name))
        assert element is not None, name
        element.text = text
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def stored(gateway: Gateway) -> dict[str, int]:
    with gateway.services.db.sessions() as session:
        return {
            "transfers": session.scalar(select(func.count()).select_from(Transfer)) or 0,
            "subjects": session.scalar(select(func.count()).select_from(Subject)) or 0,
        }


def push(gateway: Gateway, po: Org, vo: Org, body: bytes, **headers: str) -> Any:
    return gateway.client.post(
        f"/v1/transfers?recipient={vo.id}",
        content=body,
        headers={**po.headers(actor="ib-po", role="ib"), **XML, **headers},
    )


def log_lines(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


@pytest.mark.parametrize(
    ("leerling", "code", "loc", "error"),
    [
        ({"bsn": MARKER_BSN}, "invalid_bsn", "leerling.bsn", "invalid_bsn"),
        ({"achternaam": MARKER_NAME * 19}, "invalid_dossier", "leerling.achternaam", "too_long"),
        ({"roepnaam": MARKER_NAME * 19}, "invalid_dossier", "leerling.roepnaam", "too_long"),
        (
            {"achternaam": f"{MARKER_NAME}\u202egreB"},
            "invalid_dossier",
            "leerling.achternaam",
            "control_character",
        ),
        (
            {"roepnaam": f"{MARKER_NAME}\u2066"},
            "invalid_dossier",
            "leerling.roepnaam",
            "control_character",
        ),
        (
            {"geboortedatum": "2016-04-16"},
            "invalid_dossier",
            "leerling.geboortedatum",
            "date_in_future",
        ),
        (
            {"geboortedatum": "1986-04-14"},
            "invalid_dossier",
            "leerling.geboortedatum",
            "birth_date_implausible",
        ),
    ],
    ids=["bsn", "achternaam", "roepnaam", "bidi_override", "bidi_isolate", "future", "over_30"],
)
def test_a_bad_pupil_in_an_oso_dossier_is_422_naming_the_element_only(
    gateway: Gateway,
    capsys: pytest.CaptureFixture[str],
    leerling: dict[str, str],
    code: str,
    loc: str,
    error: str,
) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    capsys.readouterr()
    response = push(gateway, po, vo, povo(**leerling))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code
    assert {"loc": loc.split("."), "type": error} in problem["errors"]
    assert MARKER_BSN not in response.text and MARKER_NAME not in response.text
    logged = capsys.readouterr().err
    assert any(line.get("event") == "request.refused" for line in log_lines(logged))
    assert MARKER_BSN not in logged and MARKER_NAME not in logged
    assert stored(gateway) == {"transfers": 0, "subjects": 0}


def test_the_pupil_is_judged_by_the_day_it_is_given_outside_a_request_too() -> None:
    dossier = parse_dossier(povo(geboortedatum="2016-04-16"))
    assert formats.oso_subject(dossier, today=date(2016, 4, 16)).birth_date == date(2016, 4, 16)
    with pytest.raises(Unprocessable) as refused:
        formats.oso_subject(dossier, today=date(2016, 4, 15))
    assert refused.value.extra["errors"] == [
        {"loc": ["leerling", "geboortedatum"], "type": "date_in_future"}
    ]


def test_the_unmodified_example_is_accepted_as_application_xml_in_any_case(
    gateway: Gateway,
) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    enrol(gateway, vo, PUPIL)
    body = POVO_FULL.read_bytes()
    response = push(gateway, po, vo, body, **{"Content-Type": "APPLICATION/XML; charset=UTF-8"})
    assert response.status_code == 201, response.text
    assert stored(gateway)["transfers"] == 1


def test_xml_sent_as_json_is_json_invalid_with_a_hint(gateway: Gateway) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    response = push(gateway, po, vo, POVO_FULL.read_bytes(), **{"Content-Type": "application/json"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "json_invalid"
    assert "application/xml" in problem["detail"]
    assert "269326728" not in response.text
    assert stored(gateway) == {"transfers": 0, "subjects": 0}


def test_a_po_overstap_of_a_23_year_old_is_out_of_scope_as_oso_and_as_json(
    gateway: Gateway,
) -> None:
    po = gateway.make_org("school_po", scopes=["transfers:write", "audit:read"])
    vo = gateway.make_org("school_vo")
    # The example's pupil, ten years on: 23, long past primary school.
    gateway.clock.advance(datetime(2026, 12, 1, 9, 0, tzinfo=UTC) - gateway.clock.now())
    refresh(gateway, po, vo)
    enrol(gateway, vo, PUPIL)

    as_oso = push(gateway, po, vo, POVO_FULL.read_bytes())
    as_json = gateway.client.post(
        "/v1/transfers",
        json={"recipient": vo.id, "subject": PUPIL, "dossier": make_dossier()},
        headers=po.headers(actor="ib-po"),
    )
    for response in (as_oso, as_json):
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "out_of_scope"
        assert response.json()["decision"]["rule"] == "overdracht.po_vo/deny/age"
    assert stored(gateway)["transfers"] == 0
    events = gateway.client.get(
        "/v1/audit/events", headers=po.headers(purpose="audit.toezicht", actor="fg")
    ).json()["items"]
    denials = [(e["action"], e["decision"], e["code"]) for e in events if e["decision"] == "deny"]
    assert denials == [("transfer.send", "deny", "out_of_scope")] * 2
