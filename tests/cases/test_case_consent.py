"""A case consent names a case: one the registering party takes part in, about the
consent's pupil, naming only participants at that table. Refusals store nothing."""

from __future__ import annotations

from typing import Any

from tests.cases.helpers import PUPIL, PURPOSE, headers, join, start, table
from tests.support.consent import (
    REFERRAL,
    consent_body,
    grant,
    guardian,
    parent,
    pupil_aged,
)
from tests.support.gateway import Gateway, Org, audit_log, audited

UNKNOWN_CASE = "cs_00000000000000000000"
OTHER_PUPIL = pupil_aged(10, bsn="269326728")


def body_for(
    recipients: list[Org],
    case_id: str,
    *,
    subject: dict[str, str] = PUPIL,
    purpose: str = PURPOSE,
) -> dict[str, Any]:
    return consent_body(
        [org.id for org in recipients],
        subject=subject,
        purpose=purpose,
        categories=("leerling",),
        granted_by=[parent(), guardian()],
        case_id=case_id,
    )


def consents_about(gateway: Gateway, org: Org, subject: dict[str, str]) -> list[dict[str, Any]]:
    response = gateway.client.post(
        "/v1/consents/search", json={"subject": subject}, headers=org.headers(PURPOSE)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_case_the_registrant_does_not_sit_at_is_as_unknown_as_no_case(gateway: Gateway) -> None:
    at = table(gateway)
    stranger = audited(gateway, "wijkteam")
    real = grant(gateway, stranger, body_for([at.wijkteam], at.case_id))
    unknown = grant(gateway, stranger, body_for([at.wijkteam], UNKNOWN_CASE))
    assert real.status_code == unknown.status_code == 422, real.text
    assert real.json()["code"] == "unknown_case"
    assert real.content == unknown.content
    # A participant that left is a stranger again.
    left = gateway.client.post(
        f"/v1/cases/{at.case_id}/participants/{at.wijkteam.id}/leave", headers=headers(at.wijkteam)
    )
    assert left.status_code == 200, left.text
    gone = grant(gateway, at.wijkteam, body_for([at.school], at.case_id))
    assert gone.content == unknown.content
    assert consents_about(gateway, at.school, PUPIL) == []
    assert consents_about(gateway, stranger, PUPIL) == []
    refused = [e for e in audit_log(gateway, stranger) if e["action"] == "consent.grant"]
    assert [(e["decision"], e["code"]) for e in refused] == [("deny", "unknown_case")] * 2


def test_the_case_must_be_about_the_pupil_and_name_only_its_participants(
    gateway: Gateway,
) -> None:
    at = table(gateway)
    outsider = gateway.make_org("jgz")
    cases = [
        (body_for([at.wijkteam], at.case_id, subject=OTHER_PUPIL), "case_subject_mismatch"),
        (body_for([at.wijkteam, outsider], at.case_id), "recipient_not_participant"),
        (body_for([at.wijkteam], at.case_id, purpose=REFERRAL), "case_purpose_mismatch"),
    ]
    for body, code in cases:
        response = grant(gateway, at.school, body)
        assert response.status_code == 422, (code, response.text)
        assert response.json()["code"] == code
    assert consents_about(gateway, at.school, PUPIL) == []
    assert consents_about(gateway, at.school, OTHER_PUPIL) == []
    refused = [
        e["code"]
        for e in audit_log(gateway, at.school)
        if e["action"] == "consent.grant" and e["decision"] == "deny"
    ]
    assert sorted(refused) == sorted(code for _, code in cases)
    # Once the JGZ is at the table, the same consent is registered.
    assert join(gateway, at.case_id, at.school, outsider).status_code == 201
    fine = grant(gateway, at.school, body_for([at.wijkteam, outsider], at.case_id))
    assert fine.status_code == 201, fine.text
    assert fine.json()["case_id"] == at.case_id


def test_a_closed_case_takes_no_new_consent(gateway: Gateway) -> None:
    at = table(gateway)
    closed = gateway.client.post(f"/v1/cases/{at.case_id}/close", headers=headers(at.school))
    assert closed.status_code == 200, closed.text
    response = grant(gateway, at.school, body_for([at.wijkteam], at.case_id))
    assert response.status_code == 422
    assert response.json()["code"] == "case_closed"
    assert consents_about(gateway, at.school, PUPIL) == []


def test_any_participant_may_register_the_case_consent(gateway: Gateway) -> None:
    at = table(gateway)
    other = start(gateway, at.school)
    assert join(gateway, other, at.school, at.wijkteam).status_code == 201
    by_partner = grant(gateway, at.wijkteam, body_for([at.school, at.leerplicht], at.case_id))
    assert by_partner.status_code == 201, by_partner.text
    # Leerplicht sits at the first case only.
    elsewhere = grant(gateway, at.wijkteam, body_for([at.leerplicht], other))
    assert elsewhere.json()["code"] == "recipient_not_participant"
