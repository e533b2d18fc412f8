"""Issue 10: a category is a closed structure, not a bag of whatever keys the sender picks.

Over the real HTTP app: a verzuimmelding that carries a reason, a free-text absence type
or a diagnosis in the pupil's identity is refused with 422 `category_invalid`, naming
the field path and never the value; nothing is stored and the refusal is on record.
The TLV decision reaches the school without the experts' advice, and the SWV's health
data go to the school only.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.gateway import Gateway, Org, audit_log, audited, make_subject
from tests.transfers.test_flows import TLV_BESLUIT, VERZUIM_MELDING, read

SUBJECT = make_subject()
SECRET = "depressie, opname GGZ"
MELDING = {"leerling": {"roepnaam": "Sam"}, "school": {"brin": "12AB"}}


def push(gateway: Gateway, sender: Org, recipient: Org, purpose: str, dossier: Any) -> Any:
    body = {"recipient": recipient.id, "subject": SUBJECT, "dossier": dossier, "absence_hours": 18}
    return gateway.client.post("/v1/transfers", json=body, headers=sender.headers(purpose))


MISFITS = [
    ("a reason for the absence", {"verzuim_melding": {**VERZUIM_MELDING, "reden": SECRET}},
     "verzuim_melding", "holds a field the catalog does not list"),
    ("a free-text absence type", {"verzuim_melding": {**VERZUIM_MELDING, "soort": SECRET}},
     "verzuim_melding.soort", "is not one of the values the catalog lists"),
    ("no period", {"verzuim_melding": {"soort": "ongeoorloofd", "uren": 18}},
     "verzuim_melding", "misses a required field"),
    ("a diagnosis inside the identity",
     {"verzuim_melding": VERZUIM_MELDING, "leerling": {"roepnaam": "Sam", "diagnose": SECRET}},
     "leerling", "holds a field the catalog does not list"),
    ("a field named after the secret",
     {"verzuim_melding": {**VERZUIM_MELDING, SECRET: True}},
     "verzuim_melding", "holds a field the catalog does not list"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "change", "path", "problem"), MISFITS, ids=[m[0] for m in MISFITS]
)
def test_a_verzuimmelding_that_does_not_fit_is_refused_and_on_record(
    gateway: Gateway, name: str, change: dict[str, Any], path: str, problem: str
) -> None:
    school, leerplicht = audited(gateway, "school_vo"), gateway.make_org("leerplicht")

    refused = push(gateway, school, leerplicht, "leerplicht.verzuim", {**MELDING, **change})

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["code"] == "category_invalid"
    assert body["invalid"] == [{"path": path, "problem": problem}]
    assert path in body["detail"]
    assert "depressie" not in refused.text
    outbox = gateway.client.get("/v1/transfers?box=outbox", headers=school.headers())
    assert outbox.json()["items"] == []
    entry = audit_log(gateway, school)[0]
    assert (entry["action"], entry["decision"], entry["rule"]) == (
        "transfer.send",
        "deny",
        "transfer.send/deny/category_invalid",
    )
    assert "verzuim_melding" in entry["categories"]
    assert "depressie" not in json.dumps(audit_log(gateway, school))


def test_a_verzuimmelding_that_fits_is_delivered_as_sent(gateway: Gateway) -> None:
    school, leerplicht = gateway.make_org("school_vo"), gateway.make_org("leerplicht")
    dossier = {**MELDING, "verzuim_melding": VERZUIM_MELDING}
    pushed = push(gateway, school, leerplicht, "leerplicht.verzuim", dossier)
    assert pushed.status_code == 201, pushed.text
    read_back = read(gateway, leerplicht, "leerplicht.verzuim", pushed.json()["id"]).json()
    assert read_back["dossier"] == dossier


def test_a_forbidden_category_is_named_as_such_before_its_fields(gateway: Gateway) -> None:
    school, leerplicht = gateway.make_org("school_vo"), gateway.make_org("leerplicht")
    dossier = {**MELDING, "verzuim_melding": VERZUIM_MELDING, "gezondheid": {"x": SECRET}}
    refused = push(gateway, school, leerplicht, "leerplicht.verzuim", dossier)
    assert refused.json()["code"] == "category_forbidden"


def test_the_tlv_decision_reaches_the_school_without_the_experts_advice(
    gateway: Gateway,
) -> None:
    swv, school = gateway.make_org("swv_po"), gateway.make_org("school_po")
    advice = {"deskundigen": [{"discipline": "gz_psycholoog"}], "advies": "Autisme, ernstig"}

    decision = push(
        gateway, swv, school, "tlv.besluit", {"leerling": {}, "tlv_besluit": TLV_BESLUIT}
    )
    assert decision.status_code == 201, decision.text
    read_back = read(gateway, school, "tlv.besluit", decision.json()["id"]).json()
    assert set(read_back["dossier"]) == {"leerling", "tlv_besluit"}

    with_advice = {"leerling": {}, "tlv_besluit": TLV_BESLUIT, "deskundigenadvies": advice}
    refused = push(gateway, swv, school, "tlv.besluit", with_advice)
    assert (refused.status_code, refused.json()["code"]) == (422, "category_forbidden")
    inside = {"leerling": {}, "tlv_besluit": {**TLV_BESLUIT, "advies": advice["advies"]}}
    refused = push(gateway, swv, school, "tlv.besluit", inside)
    assert (refused.status_code, refused.json()["code"]) == (422, "category_invalid")
    assert refused.json()["invalid"] == [
        {"path": "tlv_besluit", "problem": "holds a field the catalog does not list"}
    ]
    # The old catch-all category, which carried the advice to the school, is gone.
    lumped = {"leerling": {}, "tlv": {"categorie": "laag", "advies": advice["advies"]}}
    refused = push(gateway, swv, school, "tlv.besluit", lumped)
    assert (refused.status_code, refused.json()["code"]) == (422, "category_forbidden")
    outbox = gateway.client.get("/v1/transfers?box=outbox", headers=swv.headers("tlv.besluit"))
    assert [item["categories"] for item in outbox.json()["items"]] == [["leerling", "tlv_besluit"]]


def ask(gateway: Gateway, asker: Org, sender: str, recipient: str, categories: list[str]) -> Any:
    question = {
        "sender_kind": sender,
        "recipient_kind": recipient,
        "purpose": "knooppunt.casus",
        "subject_age": 9,
        "categories": categories,
        "consent": {"granted_by": ["parent", "parent"]},
    }
    response = gateway.client.post("/v1/policies/evaluate", json=question, headers=asker.headers())
    assert response.status_code == 200, response.text
    return response.json()["decision"]


@pytest.mark.parametrize("recipient", ["wijkteam", "leerplicht", "jeugdhulp"])
def test_the_swv_may_not_pass_health_data_to_a_care_partner_in_the_knooppunt(
    gateway: Gateway, recipient: str
) -> None:
    """Only the bevoegd gezag may have the SWV's health data (WPO art. 18a lid 13)."""
    swv = gateway.make_org("swv_po")
    health = ask(gateway, swv, "swv_po", recipient, ["leerling", "gezondheid"])
    assert (health["effect"], health["code"]) == ("deny", "category_forbidden")
    assert "gezondheid" in " ".join(health["reasons"])
    # The same partner sending its own health data is judged further (the case).
    partner = ask(gateway, swv, recipient, "school_po", ["leerling", "gezondheid"])
    assert partner["code"] != "category_forbidden"
    to_school = ask(gateway, swv, "swv_po", "school_po", ["leerling", "gezondheid"])
    assert to_school["code"] != "category_forbidden"
