"""Every transfer-type flow of the catalog, end to end through the same machinery.

Each test pushes as the sender would, reads as the recipient would, and checks the
refusal paths that belong to that flow. The consent-based flows are refused here for
want of a stored consent; with stored consents they are tested in tests/consent/.
"""

from __future__ import annotations

from typing import Any

import httpx2 as httpx

from tests.support import oso
from tests.support.gateway import Gateway, Org, make_subject

OSO = oso.EXAMPLES
SUBJECT = make_subject()
OVERSTAP = {
    "school": {"naam": "De Hien"},
    "leerling": {"roepnaam": "Sam"},
    "oudersverzorgers": [{"relatie": "vader"}],
    "schoolloopbaan": [{"groep": 6}],
    "overstapadvies": {"advies": "n.v.t."},
}
VERZUIM_MELDING = {
    "soort": "ongeoorloofd",
    "periode": {"van": "2016-03-14", "tot": "2016-04-08"},
    "uren": 18,
}
TLV_BESLUIT = {
    "besluit": "toegekend",
    "soort": "tlv",
    "categorie": "laag",
    "geldig_tot": "2018-08-01",
}
MELDCODE_STEPS = ["signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"]


def push(
    gateway: Gateway,
    sender: Org,
    recipient: Org,
    purpose: str,
    dossier: dict[str, Any],
    **extra: Any,
) -> httpx.Response:
    body = {"recipient": recipient.id, "subject": SUBJECT, "dossier": dossier, **extra}
    return gateway.client.post("/v1/transfers", json=body, headers=sender.headers(purpose))


def read(gateway: Gateway, reader: Org, purpose: str, transfer_id: str) -> httpx.Response:
    return gateway.client.get(f"/v1/transfers/{transfer_id}", headers=reader.headers(purpose))


def enrol(gateway: Gateway, school: Org, purpose: str) -> None:
    response = gateway.client.post(
        "/v1/enrolments", json={"subject": SUBJECT}, headers=school.headers(purpose)
    )
    assert response.status_code == 201, response.text


def test_po_po_with_the_real_popo_dossier(gateway: Gateway) -> None:
    sender, receiver = gateway.make_org("school_po"), gateway.make_org("school_po")
    popo = (OSO / "Voorbeelddossier_OV_POPO_full.xml").read_bytes()
    headers = {**sender.headers("overdracht.po_po"), "Content-Type": "application/xml"}
    url = f"/v1/transfers?recipient={receiver.id}"
    refused = gateway.client.post(url, content=popo, headers=headers)
    assert refused.json()["code"] == "no_enrolment"
    pupil = gateway.client.post(
        "/v1/enrolments",
        headers=receiver.headers("overdracht.po_po"),
        json={"subject": {"bsn": "297816238", "birth_date": "2003-03-17"}},
    )
    assert pupil.status_code == 201
    pushed = gateway.client.post(url, content=popo, headers=headers)
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["status"] == "awaiting_inzage"
    wrong_profile = gateway.client.post(
        url, content=(OSO / "Voorbeelddossier_OV_POVO_full.xml").read_bytes(), headers=headers
    )
    assert wrong_profile.status_code == 422
    assert wrong_profile.json()["code"] == "profile_mismatch"


def test_vo_vo_after_enrolment_and_inzage(gateway: Gateway) -> None:
    sender, receiver = gateway.make_org("school_vo"), gateway.make_org("school_vo")
    enrol(gateway, receiver, "overdracht.vo_vo")
    pushed = push(
        gateway,
        sender,
        receiver,
        "overdracht.vo_vo",
        OVERSTAP,
        inzage={"date": "2016-04-01", "akkoord": True},
    )
    assert pushed.status_code == 201, pushed.text
    assert read(gateway, receiver, "overdracht.vo_vo", pushed.json()["id"]).status_code == 200
    vve = push(gateway, sender, receiver, "overdracht.vo_vo", {**OVERSTAP, "vve": {}})
    assert vve.json()["code"] == "category_forbidden"


def test_so_dossier_must_carry_the_opp(gateway: Gateway) -> None:
    sender, receiver = gateway.make_org("school_so"), gateway.make_org("school_vo")
    enrol(gateway, receiver, "overdracht.so")
    missing = push(gateway, sender, receiver, "overdracht.so", OVERSTAP)
    assert missing.status_code == 422
    assert missing.json()["code"] == "category_missing"
    pushed = push(
        gateway,
        sender,
        receiver,
        "overdracht.so",
        {**OVERSTAP, "opp": {"doel": "x"}},
        inzage={"date": "2016-04-01", "akkoord": True},
    )
    assert pushed.status_code == 201, pushed.text
    body = read(gateway, receiver, "overdracht.so", pushed.json()["id"]).json()
    assert "opp" in body["dossier"]


def test_tlv_request_to_the_swv_and_its_decision_back(gateway: Gateway) -> None:
    school, swv = gateway.make_org("school_po"), gateway.make_org("swv_po")
    request = {
        "school": {},
        "leerling": {},
        "oudersverzorgers": [],
        "schoolloopbaan": [],
        "onderwijsondersteuning": {"arrangement": "SBO"},
        "opp": {"instemming": True},
        "gezondheid": {"diagnoses": [{"omschrijving": "Dyslexie"}]},
    }
    pushed = push(gateway, school, swv, "tlv.aanvraag", request)
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["status"] == "available"
    assert "health_data_restricted" in pushed.json()["decision"]["obligations"]
    released = read(gateway, swv, "tlv.aanvraag", pushed.json()["id"]).json()
    assert "gezondheid" in released["dossier"]
    to_wijkteam = push(gateway, school, gateway.make_org("wijkteam"), "tlv.aanvraag", request)
    assert to_wijkteam.json()["code"] == "flow_not_allowed"
    decision = push(
        gateway,
        swv,
        school,
        "tlv.besluit",
        {"leerling": {}, "tlv_besluit": TLV_BESLUIT},
    )
    assert decision.status_code == 201, decision.text
    assert "objection_route" in decision.json()["decision"]["obligations"]
    assert read(gateway, school, "tlv.besluit", decision.json()["id"]).status_code == 200


def test_verzuimmelding_to_leerplicht_above_the_threshold(gateway: Gateway) -> None:
    school, leerplicht = gateway.make_org("school_vo"), gateway.make_org("leerplicht")
    melding = {"leerling": {}, "school": {}, "verzuim_melding": VERZUIM_MELDING}
    few = {**melding, "verzuim_melding": {**VERZUIM_MELDING, "uren": 10}}
    below = push(gateway, school, leerplicht, "leerplicht.verzuim", few)
    assert below.json()["code"] == "below_threshold"
    pushed = push(gateway, school, leerplicht, "leerplicht.verzuim", melding)
    assert pushed.status_code == 201, pushed.text
    assert "inform_parents" in pushed.json()["decision"]["obligations"]
    care = push(
        gateway,
        school,
        leerplicht,
        "leerplicht.verzuim",
        {**melding, "gezondheid": {"diagnoses": [{"omschrijving": "Depressie"}]}},
        absence_hours=18,
    )
    assert care.json()["code"] == "category_forbidden"
    body = read(gateway, leerplicht, "leerplicht.verzuim", pushed.json()["id"]).json()
    assert set(body["dossier"]) == {"leerling", "school", "verzuim_melding"}


def test_thuiszitter_follow_up_both_ways_on_the_closed_list(gateway: Gateway) -> None:
    school, leerplicht = gateway.make_org("school_vo"), gateway.make_org("leerplicht")
    closed_list = {"leerling": {}, "schoolloopbaan": [], "verzuim": {"weken": 6}}
    there = push(gateway, school, leerplicht, "leerplicht.thuiszitter", closed_list)
    assert there.status_code == 201, there.text
    back = push(gateway, leerplicht, school, "leerplicht.thuiszitter", {"leerling": {}})
    assert back.status_code == 201, back.text
    beyond = push(
        gateway, school, leerplicht, "leerplicht.thuiszitter", {**closed_list, "opp": {"doel": "x"}}
    )
    assert beyond.status_code == 403
    assert beyond.json()["code"] == "consent_missing"


def test_meldcode_is_break_glass_and_every_use_is_reviewed(gateway: Gateway) -> None:
    school = gateway.make_org("school_po", scopes=["transfers:write", "audit:read"])
    veilig_thuis = gateway.make_org("veilig_thuis")
    report = {"leerling": {}, "oudersverzorgers": []}
    incomplete = push(
        gateway,
        school,
        veilig_thuis,
        "meldcode.melding",
        report,
        meldcode={"steps": MELDCODE_STEPS[:3], "reasons": ["zorg"], "parents_told": True},
    )
    assert incomplete.json()["code"] == "meldcode_incomplete"
    pushed = push(
        gateway,
        school,
        veilig_thuis,
        "meldcode.melding",
        report,
        meldcode={
            "steps": MELDCODE_STEPS,
            "reasons": ["Signalen van mishandeling"],
            "parents_told": False,
            "not_told_reason": "Het vertellen brengt het kind in gevaar",
        },
    )
    assert pushed.status_code == 201, pushed.text
    assert "review_by_privacy_officer" in pushed.json()["decision"]["obligations"]
    assert read(gateway, veilig_thuis, "meldcode.melding", pushed.json()["id"]).status_code == 200

    officer = school.headers("audit.toezicht", actor="fg")
    pending = gateway.client.get("/v1/audit/reviews", headers=officer).json()["items"]
    assert [(r["object_id"], r["parents_told"]) for r in pending] == [(pushed.json()["id"], False)]
    verdict = gateway.client.post(
        f"/v1/audit/reviews/{pending[0]['id']}", headers=officer, json={"verdict": "justified"}
    )
    assert verdict.status_code == 200
    assert gateway.client.get("/v1/audit/reviews", headers=officer).json()["items"] == []


def test_referral_to_the_wijkteam_needs_a_consent(gateway: Gateway) -> None:
    school, wijkteam = gateway.make_org("school_po"), gateway.make_org("wijkteam")
    referral = push(gateway, school, wijkteam, "jeugdhulp.verwijzing", {"leerling": {}})
    assert referral.status_code == 403
    assert referral.json()["code"] == "consent_missing"
    feedback = push(gateway, wijkteam, school, "jeugdhulp.terugkoppeling", {"leerling": {}})
    assert feedback.json()["code"] == "consent_missing"
