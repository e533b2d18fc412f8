"""A TLV procedure over HTTP: a school's request, experts' advice, the SWV's acts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx2 import Response

from tests.support.gateway import Gateway, Org, enrol_pupil, lawful_dossier

PUPIL = {
    "bsn": "111222333",
    "birth_date": "2008-09-01",
    "given_name": "Sam",
    "family_name": "Jansen",
}
PAO = ["school", "leerling", "oudersverzorgers", "schoolloopbaan", "onderwijsondersteuning"]


@dataclass
class Parties:
    school: Org
    swv: Org
    jgz: Org
    jeugdhulp: Org
    smw: Org


def parties(gateway: Gateway, school: Org | None = None, pupil: dict[str, str] = PUPIL) -> Parties:
    school = school or gateway.make_org("school_po", name="OBS De Hien")
    enrol_pupil(gateway, school, pupil)
    return Parties(
        school,
        gateway.make_org("swv_po", name="SWV Onderwijs dat Past"),
        gateway.make_org("jgz", name="JGZ Zuid-Holland Zuid"),
        gateway.make_org("jeugdhulp", name="Yulius"),
        gateway.make_org("smw", name="Schoolmaatschappelijk werk"),
    )


def push(
    gateway: Gateway,
    sender: Org,
    recipient: Org,
    purpose: str,
    dossier: dict[str, Any],
    **extra: Any,
) -> str:
    response = gateway.client.post(
        "/v1/transfers",
        json={
            "recipient": recipient.id,
            "subject": extra.pop("pupil", PUPIL),
            "dossier": dossier,
            **extra,
        },
        headers=sender.headers(purpose=purpose, actor="actor-1"),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def request_dossier(*, instemming: bool | None = True, opp: bool = True) -> dict[str, Any]:
    dossier = lawful_dossier([*PAO, "tlv_aanvraag"])
    if opp:
        dossier["opp"] = {"uitstroomprofiel": "vervolgonderwijs"}
        if instemming is not None:
            dossier["opp"]["instemming"] = instemming
    return dossier


def send_request(gateway: Gateway, p: Parties, **dossier: Any) -> str:
    return push(gateway, p.school, p.swv, "tlv.aanvraag", request_dossier(**dossier))


def send_advice(gateway: Gateway, expert: Org, swv: Org, *disciplines: str, **extra: Any) -> str:
    advice = {"deskundigen": [{"discipline": d} for d in disciplines], "advies": "Toelaatbaar"}
    return push(
        gateway, expert, swv, "tlv.advies", {"leerling": {}, "deskundigenadvies": advice}, **extra
    )


def open_tlv(gateway: Gateway, swv: Org, request_id: str, **headers: str) -> Response:
    return gateway.client.post(
        "/v1/tlvs",
        json={"request": request_id},
        headers={
            **swv.headers(purpose="tlv.aanvraag", actor="tlv-1", role="tlv_commissie"),
            **headers,
        },
    )


def record_advice(
    gateway: Gateway, swv: Org, tlv_id: str, transfer: str, discipline: str
) -> Response:
    return gateway.client.post(
        f"/v1/tlvs/{tlv_id}/advices",
        json={"transfer": transfer, "discipline": discipline},
        headers=swv.headers(purpose="tlv.advies", actor="tlv-1", role="tlv_commissie"),
    )


GRANTED = {
    "outcome": "toegekend",
    "category": "midden",
    "valid_from": "2016-08-01",
    "valid_until": "2018-07-31",
}


def decide(
    gateway: Gateway, swv: Org, tlv_id: str, body: dict[str, Any] | None = None, **headers: str
) -> Response:
    return gateway.client.post(
        f"/v1/tlvs/{tlv_id}/decision",
        json=GRANTED if body is None else body,
        headers={
            **swv.headers(purpose="tlv.besluit", actor="tlv-1", role="tlv_commissie"),
            **headers,
        },
    )


def read(gateway: Gateway, org: Org, tlv_id: str, purpose: str = "tlv.besluit") -> Response:
    return gateway.client.get(f"/v1/tlvs/{tlv_id}", headers=org.headers(purpose=purpose))


def opened(gateway: Gateway, p: Parties) -> str:
    response = open_tlv(gateway, p.swv, send_request(gateway, p))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def advised(gateway: Gateway, p: Parties, tlv_id: str, pupil: dict[str, str] = PUPIL) -> None:
    """Two experts heard, one an orthopedagoog: the law's minimum."""
    for expert, discipline in ((p.jeugdhulp, "orthopedagoog"), (p.jgz, "jeugdarts")):
        transfer = send_advice(gateway, expert, p.swv, discipline, pupil=pupil)
        response = record_advice(gateway, p.swv, tlv_id, transfer, discipline)
        assert response.status_code == 201, response.text
