"""What a caller writes is refused as input, never stored, decided on or echoed.

Over the real HTTP app:

- a JSON body with NaN or Infinity (which Python's json reads, and no JSON is) is
  refused as json_invalid on every endpoint, and nothing is stored: stored, it could
  not be answered to the recipient;
- a verzuimmelding that does not fit its closed fields is refused as category_invalid
  naming the path, on record as such, not denied on hours it never stated; a stranger
  to the flow still hears the flow's deny first;
- a meldcode refusal names only the catalog's step codes, never the caller's text.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2 as httpx
import pytest

from tests.support.gateway import Gateway, Org, audit_log, audited, make_subject

SUBJECT = make_subject()
VERZUIM = "leerplicht.verzuim"
MELDCODE = "meldcode.melding"
PERIOD = {"van": "2026-11-02", "tot": "2026-11-27"}
SECRET = "<script>SECRET4"


def send_raw(gateway: Gateway, org: Org, path: str, text: str, purpose: str) -> httpx.Response:
    headers = {**org.headers(purpose), "Content-Type": "application/json"}
    return gateway.client.post(path, content=text.encode(), headers=headers)


def melding_text(recipient: str, uren: str) -> str:
    verzuim = f'{{"soort":"luxe","periode":{json.dumps(PERIOD)},"uren": {uren}}}'
    return (
        f'{{"recipient":"{recipient}","subject":{json.dumps(SUBJECT)},'
        f'"dossier":{{"leerling":{{}},"school":{{}},"verzuim_melding":{verzuim}}}}}'
    )


def outbox(gateway: Gateway, org: Org, purpose: str) -> list[Any]:
    listing = gateway.client.get("/v1/transfers?box=outbox", headers=org.headers(purpose))
    assert listing.status_code == 200, listing.text
    items: list[Any] = listing.json()["items"]
    return items


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_push_with_a_non_finite_number_is_json_invalid(gateway: Gateway, constant: str) -> None:
    school, leerplicht = gateway.make_org("school_vo"), gateway.make_org("leerplicht")

    refused = send_raw(
        gateway, school, "/v1/transfers", melding_text(leerplicht.id, constant), VERZUIM
    )

    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "json_invalid"
    assert outbox(gateway, school, VERZUIM) == []
    # The same words inside a string are text like any other.
    fine = send_raw(gateway, school, "/v1/transfers", melding_text(leerplicht.id, "8"), VERZUIM)
    assert fine.status_code == 201, fine.text


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_every_json_body_refuses_non_finite_numbers(gateway: Gateway, constant: str) -> None:
    school = gateway.make_org("school_vo")
    question = (
        '{"sender_kind":"school_vo","recipient_kind":"leerplicht","purpose":"%s",'
        '"categories":["leerling","school","verzuim_melding"],"absence_hours":%s}'
    )

    refused = send_raw(gateway, school, "/v1/policies/evaluate", question % (VERZUIM, constant), "")

    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "json_invalid"
    fine = send_raw(gateway, school, "/v1/policies/evaluate", question % (VERZUIM, "20"), "")
    assert fine.status_code == 200, fine.text


MISFITS = [
    ({"soort": "spijbelen", "periode": PERIOD, "uren": 20}, "verzuim_melding.soort"),
    ({"soort": "luxe", "periode": PERIOD, "uren": 8, "reden": SECRET}, "verzuim_melding"),
    (
        {"soort": "luxe", "periode": {"van": "02-11-2026", "tot": PERIOD["tot"]}, "uren": 8},
        "verzuim_melding.periode.van",
    ),
    ({"soort": "ongeoorloofd", "periode": PERIOD, "uren": "twintig"}, "verzuim_melding.uren"),
]


@pytest.mark.parametrize(("verzuim", "path"), MISFITS)
def test_a_melding_that_does_not_fit_is_category_invalid(
    gateway: Gateway, verzuim: dict[str, Any], path: str
) -> None:
    school, leerplicht = audited(gateway, "school_vo"), gateway.make_org("leerplicht")
    body = {
        "recipient": leerplicht.id,
        "subject": SUBJECT,
        "dossier": {"leerling": {}, "school": {}, "verzuim_melding": verzuim},
    }

    refused = gateway.client.post("/v1/transfers", json=body, headers=school.headers(VERZUIM))

    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "category_invalid"
    assert path in [m["path"] for m in refused.json()["invalid"]]
    assert "reden" not in refused.text and "SECRET" not in refused.text
    assert outbox(gateway, school, VERZUIM) == []
    rules = [e["rule"] for e in audit_log(gateway, school) if e["action"] == "transfer.send"]
    assert rules == ["transfer.send/deny/category_invalid"]


def test_a_stranger_with_a_misfit_melding_hears_the_flow_deny_first(gateway: Gateway) -> None:
    school, jgz = audited(gateway, "school_vo"), gateway.make_org("jgz")
    verzuim = {"soort": "spijbelen", "periode": PERIOD}
    body = {
        "recipient": jgz.id,
        "subject": SUBJECT,
        "dossier": {"leerling": {}, "school": {}, "verzuim_melding": verzuim},
    }

    refused = gateway.client.post("/v1/transfers", json=body, headers=school.headers(VERZUIM))

    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] != "below_threshold"


def test_a_meldcode_refusal_names_no_step_the_caller_made_up(gateway: Gateway) -> None:
    school, vt = gateway.make_org("school_po"), gateway.make_org("veilig_thuis")
    facts = {
        "steps": ["signalen", "collegiale_consultatie", "gesprek", "afweging"],
        "skipped": [{"step": SECRET, "reason": "x"}, {"step": "besluit", "reason": "y"}],
        "reasons": ["Acute onveiligheid"],
        "parents_told": True,
    }
    body = {"recipient": vt.id, "subject": SUBJECT, "dossier": {"leerling": {}}, "meldcode": facts}
    headers = school.headers(MELDCODE, actor="af-1", role="aandachtsfunctionaris")

    refused = gateway.client.post("/v1/transfers", json=body, headers=headers)

    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "meldcode_incomplete"
    assert "SECRET" not in refused.text and "script" not in refused.text
    assert "not besluit, an unknown step." in refused.json()["detail"]
    assert "SECRET" not in json.dumps(refused.json()["decision"]["reasons"])
