"""An aanmelding is no key to the pupil's record (DOMAIN §7).

Any school registers an aanmelding on its own say, for any BSN, known or not. It makes
the school state facts, never know them: after it, the school's statements with a wrong
birth date are answered as those with the right one (the record stands, nothing is
written), and its privacy officer's report shows no facts, for a pupil another school
enrolled as for one the gateway never saw. The school holding the inschrijving keeps
its 409 and its facts.
"""

from __future__ import annotations

from typing import Any

import pytest

from gateway.subjects import service as subjects
from tests.support.consent import consent_body, grant
from tests.support.gateway import (
    OFFICER,
    REGISTRATION,
    Gateway,
    Org,
    audited,
    enrol_pupil,
    lawful_dossier,
)
from tests.transfers.test_oso_profiles import XML, example, pupil_of

PUPIL = {"bsn": "111222333", "birth_date": "2004-09-01", "given_name": "Sam"}
WRONG = {**PUPIL, "birth_date": "2004-09-02"}
MELDCODE = {
    "steps": ["signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"],
    "reasons": ["Signalen van onveiligheid"],
    "parents_told": True,
}
KNOWN = pytest.mark.parametrize("known", [True, False], ids=["known_elsewhere", "never_seen"])


def aanmelden(gateway: Gateway, school: Org, subject: dict[str, Any], purpose: str) -> Any:
    return gateway.client.post(
        "/v1/enrolments",
        json={"subject": subject, "status": "aangemeld"},
        headers=school.headers(purpose=purpose, actor="admin-2"),
    )


def answer(response: Any) -> tuple[int, str | None, list[str]]:
    body = response.json()
    return response.status_code, body.get("code"), sorted(body)


def on_record(gateway: Gateway, bsn: str) -> tuple[str, str | None]:
    ref = gateway.keyring.pseudonyms.subject_ref(bsn)
    with gateway.services.db.sessions() as session:
        found = subjects.identity(session, ref, keyring=gateway.keyring)
        assert found is not None
        return found.birth_date.isoformat(), subjects.stated_by(session, ref)


@KNOWN
def test_after_its_aanmelding_a_school_cannot_test_a_birth_date(
    gateway: Gateway, known: bool
) -> None:
    school, stranger = gateway.make_org("school_po"), audited(gateway, "school_vo")
    veilig_thuis = gateway.make_org("veilig_thuis")
    if known:
        enrol_pupil(gateway, school, PUPIL)
    assert aanmelden(gateway, stranger, PUPIL, "overdracht.po_vo").status_code == 201
    record = on_record(gateway, PUPIL["bsn"])

    def probes(pupil: dict[str, Any]) -> list[tuple[int, str | None, list[str]]]:
        again = aanmelden(gateway, stranger, pupil, "overdracht.po_vo")
        pushed = gateway.client.post(
            "/v1/transfers",
            json={
                "recipient": veilig_thuis.id,
                "subject": pupil,
                "dossier": lawful_dossier(["leerling"]),
                "meldcode": MELDCODE,
            },
            headers=stranger.headers("meldcode.melding"),
        )
        return [answer(again), answer(pushed)]

    right, wrong = probes(PUPIL), probes(WRONG)

    # The same for the right and the wrong date, and for a known and a never-seen pupil.
    assert right == wrong
    assert [(status, code) for status, code, _ in wrong] == [
        (409, "enrolment_exists"),
        (201, None),
    ]
    # The record stands: the wrong date was neither refused nor written.
    assert on_record(gateway, PUPIL["bsn"]) == record
    assert record == (PUPIL["birth_date"], school.id if known else stranger.id)


@KNOWN
def test_a_bsn_less_dossier_names_the_pupil_without_testing_its_date(
    gateway: Gateway, known: bool
) -> None:
    """An OSO passend-onderwijs dossier named by the subject_ref the aanmelding gave."""
    raw = example("PaO_POSWV_full")
    pupil = pupil_of(raw)
    wrong_date = raw.replace(b"<geboortedatum>2003-03-17<", b"<geboortedatum>2003-03-18<", 1)
    assert wrong_date != raw
    school, stranger = gateway.make_org("school_po"), gateway.make_org("school_po")
    swv = gateway.make_org("swv_po")
    own = None
    if known:
        own = gateway.client.post(
            "/v1/enrolments",
            json={"subject": pupil, "status": "ingeschreven"},
            headers=school.headers(purpose=REGISTRATION, actor="admin-1", role="directeur"),
        ).json()["subject_ref"]
    registered = aanmelden(gateway, stranger, pupil, "overdracht.po_po")
    assert registered.status_code == 201, registered.text
    ref = registered.json()["subject_ref"]

    def push(dossier: bytes) -> Any:
        return gateway.client.post(
            f"/v1/transfers?recipient={swv.id}&subject_ref={ref}",
            content=dossier,
            headers={**stranger.headers(purpose="tlv.aanvraag", actor="ib-1", role="ib"), **XML},
        )

    right, wrong = push(raw), push(wrong_date)

    assert answer(right) == answer(wrong), wrong.text
    assert answer(wrong)[:2] != (409, "subject_conflict")
    assert on_record(gateway, pupil["bsn"])[0] == pupil["birth_date"]

    # The school holding the inschrijving is told: it holds the facts.
    if own is not None:
        refused = gateway.client.post(
            f"/v1/transfers?recipient={swv.id}&subject_ref={own}",
            content=wrong_date,
            headers={**school.headers(purpose="tlv.aanvraag", actor="ib-1", role="ib"), **XML},
        )
        assert (refused.status_code, refused.json()["code"]) == (409, "subject_conflict")


def officer_report(gateway: Gateway, officer: Org, pupil: dict[str, Any]) -> dict[str, Any]:
    response = gateway.client.post(
        "/v1/rights/inzage/report", json={"subject": pupil}, headers=officer.headers(**OFFICER)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@KNOWN
def test_the_officer_of_an_aanmelding_only_school_reads_no_facts(
    gateway: Gateway, known: bool
) -> None:
    school, stranger = audited(gateway, "school_po"), audited(gateway, "school_vo")
    if known:
        enrol_pupil(gateway, school, PUPIL)
    assert aanmelden(gateway, stranger, PUPIL, "overdracht.po_vo").status_code == 201
    # Another school's act about the pupil is on the log of the school holding the
    # inschrijving, never on that of a school whose aanmelding stated the record.
    third = gateway.make_org("school_vo")
    assert aanmelden(gateway, third, PUPIL, "overdracht.po_vo").status_code == 201

    body = officer_report(gateway, stranger, PUPIL)

    # Whether its aanmelding made it the stater of the record or not: the same report.
    assert body["facts"] is None
    assert {k: v for k, v in body["pupil"].items() if k != "subject_ref"} == {
        "name": None,
        "birth_date": None,
        "age": None,
    }
    assert body["gezag"] == [] and len(body["enrolments"]) == 1
    assert [(a["action"], a["decision"]) for a in body["accesses"]] == [
        ("enrolment.register", "permit")
    ]
    assert on_record(gateway, PUPIL["bsn"])[1] == (school.id if known else stranger.id)
    if known:  # the school holding the inschrijving reads its facts
        theirs = officer_report(gateway, school, PUPIL)
        assert theirs["facts"]["birth_date"] == PUPIL["birth_date"]
        assert theirs["pupil"]["name"] == "Sam"


@KNOWN
def test_a_consent_registered_after_an_aanmelding_tests_no_birth_date(
    gateway: Gateway, known: bool
) -> None:
    school, stranger = gateway.make_org("school_po"), gateway.make_org("school_vo")
    wijkteam = gateway.make_org("wijkteam")
    if known:
        enrol_pupil(gateway, school, PUPIL)
    assert aanmelden(gateway, stranger, PUPIL, "overdracht.po_vo").status_code == 201
    record = on_record(gateway, PUPIL["bsn"])

    def register(pupil: dict[str, Any]) -> Any:
        body = consent_body([wijkteam.id], subject=pupil)
        return grant(gateway, stranger, body, gezag=False, standing=False)

    right, wrong = register(PUPIL), register(WRONG)

    assert answer(right) == answer(wrong), wrong.text
    assert answer(wrong)[:2] == (422, "gezag_unknown")
    assert on_record(gateway, PUPIL["bsn"]) == record
