"""A sender says something about a pupil only with standing (DOMAIN §7, row 16).

The school where the pupil is enrolled is authoritative; by extension a school sends
only about its own pupils, an SWV decides only on a TLV request it received, a wijkteam
reports back only on a referral it received. A stranger is refused `sender_not_related`
before anything is stored or read about the pupil, on the record, and the refusal reads
the same whether or not the pupil is known to the gateway.

These tests give no standing for free: the test gateway's `auto_standing` is off, and
every relation comes about the way it does in the field.
"""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from gateway.transfers.models import Transfer
from tests.support.consent import pupil_aged
from tests.support.gateway import Gateway, Org, audited, enrol_pupil, lawful_dossier
from tests.tlv.procedure import PAO, PUPIL, request_dossier

TLV_BESLUIT = lawful_dossier(["leerling", "tlv_besluit"])
VERZUIM = lawful_dossier(["leerling", "school", "verzuim_melding"])
VOMBO = lawful_dossier(["school", "leerling", "oudersverzorgers", "schoolloopbaan", "vombo"])
UNKNOWN_PUPIL = {"bsn": "123456782", "birth_date": "2008-09-01"}


@pytest.fixture
def strict(gateway: Gateway) -> Gateway:
    gateway.auto_standing = False
    return gateway


def push(
    gateway: Gateway, sender: Org, recipient: Org, purpose: str, dossier: Any, pupil: Any
) -> httpx.Response:
    body = {"recipient": recipient.id, "subject": pupil, "dossier": dossier}
    return gateway.client.post("/v1/transfers", json=body, headers=sender.headers(purpose))


def transfers(gateway: Gateway, purpose: str) -> int:
    with gateway.services.db.sessions() as session:
        query = select(func.count()).select_from(Transfer).where(Transfer.purpose == purpose)
        return int(session.scalar(query) or 0)


def refusals(gateway: Gateway, officer: Org) -> list[tuple[str, str, str | None, str]]:
    response = gateway.client.get(
        "/v1/audit/events", headers=officer.headers(purpose="audit.toezicht", actor="fg")
    )
    assert response.status_code == 200, response.text
    return [
        (e["action"], e["decision"], e["code"], e["rule"])
        for e in response.json()["items"]
        if e["decision"] == "deny"
    ]


def assert_not_related(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["code"] == "sender_not_related"
    return problem


def test_a_stranger_swv_cannot_decide_on_a_pupil_whose_request_it_never_had(
    strict: Gateway,
) -> None:
    gateway = strict
    school = audited(gateway, "school_po")
    enrol_pupil(gateway, school, PUPIL)
    swv, stranger = gateway.make_org("swv_po"), audited(gateway, "swv_po")

    refused = push(gateway, stranger, school, "tlv.besluit", TLV_BESLUIT, PUPIL)
    problem = assert_not_related(refused)
    assert (
        "decision" in problem and problem["decision"]["rule"] == "tlv.besluit/deny/sender_related"
    )
    assert transfers(gateway, "tlv.besluit") == 0
    assert refusals(gateway, stranger) == [
        ("transfer.send", "deny", "sender_not_related", "tlv.besluit/deny/sender_related")
    ]
    # The school whose pupil it is sees the attempt on its own record.
    assert refusals(gateway, school) == refusals(gateway, stranger)
    # The SWV the school asked may decide; the stranger still may not.
    request = push(gateway, school, swv, "tlv.aanvraag", request_dossier(), PUPIL)
    assert request.status_code == 201, request.text
    assert push(gateway, swv, school, "tlv.besluit", TLV_BESLUIT, PUPIL).status_code == 201
    assert_not_related(push(gateway, stranger, school, "tlv.besluit", TLV_BESLUIT, PUPIL))
    assert transfers(gateway, "tlv.besluit") == 1


def test_a_request_taken_back_gives_no_standing(strict: Gateway) -> None:
    gateway = strict
    school = gateway.make_org("school_po")
    enrol_pupil(gateway, school, PUPIL)
    swv = gateway.make_org("swv_po")
    request = push(gateway, school, swv, "tlv.aanvraag", request_dossier(), PUPIL)
    assert request.status_code == 201, request.text
    with gateway.services.db.sessions() as session, session.begin():
        row = session.get(Transfer, request.json()["id"])
        assert row is not None
        row.status = "withdrawn"
    assert_not_related(push(gateway, swv, school, "tlv.besluit", TLV_BESLUIT, PUPIL))


def test_a_stranger_school_cannot_report_absence_of_another_schools_pupil(
    strict: Gateway,
) -> None:
    gateway = strict
    own, stranger = gateway.make_org("school_vo"), audited(gateway, "school_vo")
    leerplicht = gateway.make_org("leerplicht")
    pupil = pupil_aged(13)
    enrol_pupil(gateway, own, pupil)

    refused = push(gateway, stranger, leerplicht, "leerplicht.verzuim", VERZUIM, pupil)
    assert_not_related(refused)
    assert transfers(gateway, "leerplicht.verzuim") == 0
    assert [r[2] for r in refusals(gateway, stranger)] == ["sender_not_related"]

    reported = push(gateway, own, leerplicht, "leerplicht.verzuim", VERZUIM, pupil)
    assert reported.status_code == 201, reported.text
    assert transfers(gateway, "leerplicht.verzuim") == 1


def test_a_pupil_who_left_is_no_longer_the_schools_to_report(strict: Gateway) -> None:
    gateway = strict
    school, leerplicht = gateway.make_org("school_vo"), gateway.make_org("leerplicht")
    pupil = pupil_aged(13)
    registered = gateway.client.post(
        "/v1/enrolments",
        json={"subject": pupil, "status": "ingeschreven"},
        headers=school.headers(purpose="leerling.inschrijving", actor="admin-1"),
    )
    assert registered.status_code == 201, registered.text
    left = gateway.client.patch(
        f"/v1/enrolments/{registered.json()['id']}",
        json={"status": "uitgeschreven"},
        headers=school.headers(purpose="leerling.inschrijving", actor="admin-1"),
    )
    assert left.status_code == 200, left.text
    assert_not_related(push(gateway, school, leerplicht, "leerplicht.verzuim", VERZUIM, pupil))


def test_a_stranger_vo_school_cannot_hand_over_another_schools_pupil(strict: Gateway) -> None:
    gateway = strict
    own, stranger = gateway.make_org("school_vo"), gateway.make_org("school_vo")
    mbo = gateway.make_org("mbo")
    student = pupil_aged(16, bsn="269326728")
    enrol_pupil(gateway, own, student)
    aangemeld = gateway.client.post(
        "/v1/enrolments",
        json={"subject": student, "status": "aangemeld"},
        headers=mbo.headers("overdracht.vo_mbo", actor="slb-1"),
    )
    assert aangemeld.status_code == 201, aangemeld.text

    # Its refusal says nothing of the MBO's aanmelding: standing is judged first.
    assert_not_related(push(gateway, stranger, mbo, "overdracht.vo_mbo", VOMBO, student))
    assert transfers(gateway, "overdracht.vo_mbo") == 0
    handed = push(gateway, own, mbo, "overdracht.vo_mbo", VOMBO, student)
    assert handed.status_code == 201, handed.text


def test_the_refusal_tells_a_stranger_nothing_about_the_pupil(strict: Gateway) -> None:
    """The same answer for a pupil on record, one unknown to the gateway, and one stated
    with a birth date that differs from the record (no `subject_conflict` oracle)."""
    gateway = strict
    school, stranger = gateway.make_org("school_po"), gateway.make_org("swv_po")
    enrol_pupil(gateway, school, PUPIL)
    wrong_birth = {**PUPIL, "birth_date": "2009-01-01"}
    answers = [
        push(gateway, stranger, school, "tlv.besluit", TLV_BESLUIT, pupil)
        for pupil in (PUPIL, UNKNOWN_PUPIL, wrong_birth)
    ]
    bodies = [assert_not_related(answer) for answer in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    for answer in answers:
        for value in (PUPIL["bsn"], UNKNOWN_PUPIL["bsn"], PUPIL["family_name"], "2008-09-01"):
            assert value not in answer.text
    # Nothing about the unknown pupil was put on record either.
    ref = gateway.keyring.pseudonyms.subject_ref(UNKNOWN_PUPIL["bsn"])
    with gateway.services.db.sessions() as session:
        from gateway.subjects.models import Subject

        assert session.get(Subject, ref) is None


def test_feedback_only_on_a_pupil_referred_to_the_wijkteam(strict: Gateway) -> None:
    gateway = strict
    school, wijkteam = gateway.make_org("school_po"), gateway.make_org("wijkteam")
    pupil = pupil_aged(10)
    enrol_pupil(gateway, school, pupil)
    dossier = lawful_dossier(["leerling"])
    assert_not_related(push(gateway, wijkteam, school, "jeugdhulp.terugkoppeling", dossier, pupil))
    assert transfers(gateway, "jeugdhulp.terugkoppeling") == 0


def test_a_meldcode_report_needs_no_prior_relation(strict: Gateway) -> None:
    """Break-glass: any professional may report (Wmo art. 5.2.6), also about a child that
    is not their client; the report is reviewed afterwards."""
    gateway = strict
    wijkteam, veilig_thuis = gateway.make_org("wijkteam"), gateway.make_org("veilig_thuis")
    meldcode = {
        "steps": ["signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"],
        "reasons": ["Signalen van onveiligheid"],
        "parents_told": True,
    }
    body = {
        "recipient": veilig_thuis.id,
        "subject": pupil_aged(9),
        "dossier": lawful_dossier(["leerling"]),
        "meldcode": meldcode,
    }
    reported = gateway.client.post(
        "/v1/transfers", json=body, headers=wijkteam.headers("meldcode.melding")
    )
    assert reported.status_code == 201, reported.text


def test_the_catalog_and_the_dry_run_show_the_precondition(strict: Gateway) -> None:
    gateway = strict
    swv = gateway.make_org("swv_po")
    flows = gateway.client.get("/v1/policies", headers=swv.headers()).json()["flows"]
    besluit = next(f for f in flows if f["purpose"] == "tlv.besluit")
    assert besluit["preconditions"]["send"] == ["sender_related"]
    assert {r["sender_relation"]["received"][0] for r in besluit["routes"]} == {"tlv.aanvraag"}
    meldcode = next(f for f in flows if f["purpose"] == "meldcode.melding")
    assert meldcode["preconditions"]["send"] == []

    ask = {
        "sender_kind": "swv_po",
        "recipient_kind": "school_po",
        "purpose": "tlv.besluit",
        "categories": ["leerling", "tlv_besluit"],
        "subject_age": 8,
    }
    stranger = gateway.client.post("/v1/policies/evaluate", json=ask, headers=swv.headers())
    assert stranger.status_code == 200, stranger.text
    decision = stranger.json()["decision"]
    assert (decision["effect"], decision["code"]) == ("deny", "sender_not_related")
    related = {**ask, "preconditions": {"sender_related": True}}
    asked = gateway.client.post("/v1/policies/evaluate", json=related, headers=swv.headers())
    assert asked.json()["decision"]["effect"] == "permit"


def test_the_pao_request_comes_only_from_the_pupils_school(strict: Gateway) -> None:
    gateway = strict
    stranger, swv = gateway.make_org("school_po"), gateway.make_org("swv_po")
    dossier = lawful_dossier([*PAO, "tlv_aanvraag"])
    assert_not_related(push(gateway, stranger, swv, "tlv.aanvraag", dossier, PUPIL))


MELDCODE = {
    "steps": ["signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"],
    "reasons": ["Signalen van onveiligheid"],
    "parents_told": True,
}


def report(gateway: Gateway, sender: Org, recipient: Org, pupil: Any) -> httpx.Response:
    body = {
        "recipient": recipient.id,
        "subject": pupil,
        "dossier": lawful_dossier(["leerling"]),
        "meldcode": MELDCODE,
    }
    return gateway.client.post(
        "/v1/transfers", json=body, headers=sender.headers("meldcode.melding")
    )


def test_a_report_open_to_anyone_is_no_oracle_for_the_pupils_record(strict: Gateway) -> None:
    """A stranger's statement that conflicts with the record gets the answer one that
    agrees gets (no 409 `subject_conflict` telling it the pupil is on record with other
    facts); the record stands. The school that holds the record still hears of it."""
    gateway = strict
    school, veilig_thuis = gateway.make_org("school_po"), gateway.make_org("veilig_thuis")
    stranger = gateway.make_org("wijkteam")
    enrol_pupil(gateway, school, PUPIL)
    wrong_birth = {**PUPIL, "birth_date": "2009-01-01"}

    # Its own earlier reports (what it stated itself) do not make it one who knows.
    pupils = (wrong_birth, PUPIL, wrong_birth)
    answers = [report(gateway, stranger, veilig_thuis, p) for p in pupils]
    assert [a.status_code for a in answers] == [201, 201, 201], answers[-1].text
    assert len({a.json()["subject_ref"] for a in answers}) == 1
    ref = gateway.keyring.pseudonyms.subject_ref(PUPIL["bsn"])
    with gateway.services.db.sessions() as session:
        from gateway.subjects import service as subjects

        on_record = subjects.identity(session, ref, keyring=gateway.keyring)
    assert on_record is not None and on_record.birth_date.isoformat() == PUPIL["birth_date"]

    # The school where the pupil is enrolled holds the facts: it is told of the conflict.
    refused = report(gateway, school, veilig_thuis, wrong_birth)
    assert (refused.status_code, refused.json()["code"]) == (409, "subject_conflict")
