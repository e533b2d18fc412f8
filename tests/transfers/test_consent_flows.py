"""The consent-based flows, end to end with consents stored in the registry.

A referral, its feedback, a voorschool handover and thuiszitter care details move
only while a consent naming the recipient and the categories is in force; after a
withdrawal or expiry every further access is refused, data already held included.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.support.consent import child, consent_body, grant, granted, parent, pupil_aged, refresh
from tests.support.gateway import Gateway, Org

PUPIL = pupil_aged(13)
REFERRAL = {"leerling": {"roepnaam": "Sam"}, "onderwijsondersteuning": {"ondersteuning": "gedrag"}}


def push(
    gateway: Gateway,
    sender: Org,
    recipient: Org,
    purpose: str,
    dossier: dict[str, Any],
    subject: dict[str, str] = PUPIL,
) -> Any:
    return gateway.client.post(
        "/v1/transfers",
        headers=sender.headers(purpose),
        json={"recipient": recipient.id, "subject": subject, "dossier": dossier},
    )


def test_referral_moves_with_consent_and_stops_at_withdrawal(gateway: Gateway) -> None:
    school, wijkteam = gateway.make_org("school_vo"), gateway.make_org("wijkteam")
    body = consent_body(
        [wijkteam.id],
        subject=PUPIL,
        granted_by=[parent(), child()],
        categories=("leerling", "onderwijsondersteuning"),
    )
    consent = granted(gateway, school, body)

    pushed = push(gateway, school, wijkteam, "jeugdhulp.verwijzing", REFERRAL)
    assert pushed.status_code == 201, pushed.text
    url = f"/v1/transfers/{pushed.json()['id']}"
    assert (
        gateway.client.get(url, headers=wijkteam.headers("jeugdhulp.verwijzing")).json()["dossier"]
        == REFERRAL
    )
    health = push(
        gateway,
        school,
        wijkteam,
        "jeugdhulp.verwijzing",
        {**REFERRAL, "gezondheid": {"diagnoses": [{"omschrijving": "ADHD"}]}},
    )
    assert health.json()["code"] == "consent_missing"

    withdrawn = gateway.client.post(
        f"/v1/consents/{consent['id']}/withdraw", headers=school.headers("jeugdhulp.verwijzing")
    )
    assert withdrawn.status_code == 200
    again = push(gateway, school, wijkteam, "jeugdhulp.verwijzing", REFERRAL)
    assert again.status_code == 403
    assert again.json()["code"] == "consent_missing"
    held = gateway.client.get(url, headers=wijkteam.headers("jeugdhulp.verwijzing"))
    assert held.status_code == 403
    assert held.json()["code"] == "consent_missing"


def test_referral_of_a_twelve_year_old_needs_the_child_too(gateway: Gateway) -> None:
    school, wijkteam = gateway.make_org("school_vo"), gateway.make_org("wijkteam")
    body = consent_body([wijkteam.id], subject=PUPIL, granted_by=[parent()])
    response = grant(gateway, school, body)
    assert response.status_code == 422
    assert response.json()["code"] == "consent_grantors_insufficient"


def test_feedback_from_the_wijkteam_to_the_school(gateway: Gateway) -> None:
    school, wijkteam = gateway.make_org("school_po"), gateway.make_org("wijkteam")
    young = pupil_aged(9)
    granted(
        gateway,
        wijkteam,
        consent_body(
            [school.id],
            subject=young,
            purpose="jeugdhulp.terugkoppeling",
            categories=("leerling", "knooppunt_afspraken"),
        ),
    )
    feedback = {"leerling": {}, "knooppunt_afspraken": {"regie": "wijkteam"}}
    pushed = push(gateway, wijkteam, school, "jeugdhulp.terugkoppeling", feedback, young)
    assert pushed.status_code == 201, pushed.text
    read = gateway.client.get(
        f"/v1/transfers/{pushed.json()['id']}", headers=school.headers("jeugdhulp.terugkoppeling")
    )
    assert read.json()["dossier"] == feedback


def test_voorschool_handover_until_the_consent_expires(gateway: Gateway) -> None:
    voorschool, school = gateway.make_org("voorschool"), gateway.make_org("school_po")
    toddler = pupil_aged(4)
    granted(
        gateway,
        voorschool,
        consent_body(
            [school.id],
            subject=toddler,
            purpose="overdracht.voorschool_po",
            categories=("leerling", "vve"),
            valid_until="2016-05-01",
        ),
    )
    handover = {"leerling": {}, "vve": {"programma": "Piramide"}}
    pushed = push(gateway, voorschool, school, "overdracht.voorschool_po", handover, toddler)
    assert pushed.status_code == 201, pushed.text
    gateway.clock.advance(timedelta(days=30))
    refresh(gateway, voorschool, school)
    late = gateway.client.get(
        f"/v1/transfers/{pushed.json()['id']}", headers=school.headers("overdracht.voorschool_po")
    )
    assert late.status_code == 403
    assert late.json()["code"] == "consent_missing"


def test_thuiszitter_care_details_beyond_the_closed_list_need_consent(gateway: Gateway) -> None:
    school, leerplicht = gateway.make_org("school_vo"), gateway.make_org("leerplicht")
    older = pupil_aged(16)
    details = {"leerling": {}, "verzuim": {"weken": 8}, "opp": {"doel": "terugkeer"}}
    assert (
        push(gateway, school, leerplicht, "leerplicht.thuiszitter", details, older).json()["code"]
        == "consent_missing"
    )
    granted(
        gateway,
        school,
        consent_body(
            [leerplicht.id],
            subject=older,
            purpose="leerplicht.thuiszitter",
            granted_by=[child()],
            categories=("leerling", "verzuim", "opp"),
        ),
    )
    pushed = push(gateway, school, leerplicht, "leerplicht.thuiszitter", details, older)
    assert pushed.status_code == 201, pushed.text
    read = gateway.client.get(
        f"/v1/transfers/{pushed.json()['id']}", headers=leerplicht.headers("leerplicht.thuiszitter")
    )
    assert "opp" in read.json()["dossier"]
