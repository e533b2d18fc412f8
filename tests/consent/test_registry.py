"""Registering a consent: specific, signed, visible to its parties only, on record."""

from __future__ import annotations

import json

from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import func, select

from consent.models import Consent
from gateway.models import Base
from tests.support.consent import (
    FATHER_BSN,
    MOTHER_BSN,
    NAMES,
    PUPIL_BSN,
    REFERRAL,
    child,
    consent_body,
    grant,
    granted,
    parent,
    pupil_aged,
    register_gezag,
    with_gezag,
)
from tests.support.gateway import Gateway, audit_log, audited

AUDITED = ["consents:write", "consents:read", "enrolments:write", "audit:read"]


def test_a_school_registers_a_consent_and_reads_it_back(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    body = consent_body([wijkteam.id], valid_until="2016-10-31")

    created = granted(gateway, school, body)
    assert created["status"] == "active"
    assert created["id"].startswith("cns_")
    assert created["receipt"].count(".") == 2

    read = gateway.client.get(f"/v1/consents/{created['id']}", headers=school.headers(REFERRAL))
    assert read.status_code == 200, read.text
    consent = read.json()
    assert consent["status"] == "active"
    assert consent["purpose"] == REFERRAL
    assert consent["recipients"] == [wijkteam.id]
    assert consent["categories"] == ["leerling", "oudersverzorgers"]
    assert consent["granted_by"] == ["parent"]
    assert consent["evidence"] == "digital"
    assert consent["valid_until"] == "2016-10-31"
    assert consent["registered_by"] == school.id
    assert consent["subject_ref"] == created["subject_ref"]
    assert gateway.internal_ref(school, consent["subject_ref"]).startswith("sr_")
    assert [event["kind"] for event in consent["history"]] == ["granted"]


def test_the_receipt_verifies_against_the_published_jwks(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    body = consent_body([wijkteam.id], evidence="paper", evidence_ref="form-2016-044")
    created = granted(gateway, school, body)

    jwks = gateway.client.get("/.well-known/jwks.json").json()
    token = jwt.decode(created["receipt"], KeySet.import_key_set(jwks), algorithms=["Ed25519"])

    assert token.header["typ"] == "consent-receipt+jwt"
    claims = token.claims
    assert claims["iss"] == gateway.settings.issuer
    assert claims["consent_id"] == created["id"]
    # The receipt names the pupil by a pseudonym of this consent alone: no holder of it
    # can join it with the registering school's or any other organisation's data.
    assert claims["sub"].startswith("ps_")
    assert claims["sub"] != created["subject_ref"]
    assert claims["purpose"] == REFERRAL
    assert claims["recipients"] == [wijkteam.id]
    assert claims["categories"] == ["leerling", "oudersverzorgers"]
    assert claims["granted_by"] == ["parent"]
    assert claims["evidence"] == "paper"
    assert claims["valid_until"] == body["valid_until"]
    assert claims["iat"] == int(gateway.clock.now().timestamp())
    assert NAMES[0] not in json.dumps(claims)
    assert "form-2016-044" not in json.dumps(claims)


def test_only_the_registering_org_and_named_recipients_see_a_consent(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    jeugdhulp = gateway.make_org("jeugdhulp")
    other_school = gateway.make_org("school_po")
    created = granted(gateway, school, consent_body([wijkteam.id]))
    url = f"/v1/consents/{created['id']}"
    search = {"subject": pupil_aged(10)}

    assert gateway.client.get(url, headers=wijkteam.headers(REFERRAL)).status_code == 200
    for outsider in (jeugdhulp, other_school):
        assert gateway.client.get(url, headers=outsider.headers(REFERRAL)).status_code == 404
        found = gateway.client.post(
            "/v1/consents/search", json=search, headers=outsider.headers(REFERRAL)
        )
        assert found.status_code == 200
        assert found.json()["items"] == []
    for party in (school, wijkteam):
        found = gateway.client.post(
            "/v1/consents/search", json=search, headers=party.headers(REFERRAL)
        )
        assert [item["id"] for item in found.json()["items"]] == [created["id"]]
    missing = gateway.client.get("/v1/consents/cns_nope", headers=school.headers(REFERRAL))
    assert missing.status_code == 404


def test_a_retry_with_the_same_idempotency_key_registers_one_consent(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    body = consent_body([wijkteam.id])

    first = grant(gateway, school, body, **{"Idempotency-Key": "consent-1"})
    again = grant(gateway, school, body, **{"Idempotency-Key": "consent-1"})

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    with gateway.services.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Consent)) == 1
    changed = grant(
        gateway, school, {**body, "valid_until": "2016-05-01"}, **{"Idempotency-Key": "consent-1"}
    )
    assert changed.status_code == 409


def test_consent_is_refused_where_the_purpose_does_not_rest_on_it(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    vo = gateway.make_org("school_vo")
    wijkteam = gateway.make_org("wijkteam")
    leerplicht = gateway.make_org("leerplicht")
    cases = [
        (consent_body([vo.id], purpose="overdracht.po_vo"), "consent_not_applicable"),
        (consent_body([vo.id], purpose="no.such_purpose"), "consent_not_applicable"),
        (consent_body([wijkteam.id], categories=("overstapadvies",)), "category_forbidden"),
        (consent_body([wijkteam.id], categories=("no_such",)), "category_forbidden"),
        (consent_body(["org_unknown"]), "unknown_recipient"),
        (consent_body([leerplicht.id]), "recipient_not_in_flow"),
        (consent_body([wijkteam.id], valid_until="2016-04-14"), "invalid_validity"),
        (consent_body([wijkteam.id], valid_until="9999-12-31"), "invalid_validity"),
        (consent_body([wijkteam.id], evidence="paper"), "evidence_missing"),
        (
            consent_body([wijkteam.id], granted_by=[parent(bsn=MOTHER_BSN)] * 2),
            "duplicate_grantor",
        ),
        (
            consent_body([wijkteam.id], granted_by=[parent(), child(bsn=FATHER_BSN)]),
            "grantor_mismatch",
        ),
    ]
    for body, code in cases:
        response = grant(gateway, school, body)
        assert response.status_code == 422, (code, response.text)
        assert response.json()["code"] == code
    body = consent_body([wijkteam.id], subject=pupil_aged(10, "123"))
    invalid = grant(gateway, school, body, gezag=False)
    assert invalid.json()["code"] == "invalid_bsn"


def test_every_act_on_the_registry_is_on_record(gateway: Gateway) -> None:
    school = gateway.make_org("school_po", scopes=AUDITED)
    wijkteam = gateway.make_org("wijkteam")
    gezag = register_gezag(gateway, school, pupil_aged(10), parent(bsn=MOTHER_BSN), has=True)
    assert gezag.status_code == 201
    created = granted(gateway, school, consent_body([wijkteam.id]))
    headers = school.headers(REFERRAL)
    gateway.client.get(f"/v1/consents/{created['id']}", headers=headers)
    gateway.client.post("/v1/consents/search", json={"subject": pupil_aged(10)}, headers=headers)
    refused = grant(gateway, school, consent_body([wijkteam.id], granted_by=[child()]))
    assert refused.status_code == 422
    withdrawn = gateway.client.post(f"/v1/consents/{created['id']}/withdraw", headers=headers)
    assert withdrawn.status_code == 200

    newest_first = gateway.client.get(
        "/v1/audit/events", headers=school.headers(purpose="audit.toezicht", actor="fg")
    ).json()["items"]
    events = newest_first[::-1]
    logged = [(e["action"], e["decision"], e["code"], e["object_id"]) for e in events]
    consent_id = created["id"]
    assert logged[0][:3] == ("enrolment.register", "permit", None)
    assert logged[1][:3] == ("consent.gezag", "permit", None)
    assert logged[2:7] == [
        ("consent.grant", "permit", None, consent_id),
        ("consent.read", "permit", None, consent_id),
        ("consent.search", "permit", None, None),
        ("consent.grant", "deny", "consent_grantors_insufficient", None),
        ("consent.withdraw", "permit", None, consent_id),
    ]
    grant_entry = events[2]
    assert grant_entry["purpose"] == REFERRAL
    assert grant_entry["rule"] == "consent/grant"
    # A referring school rests on the consent itself (AVG 6(1)(a)), not on Jeugdwet 7.3.11.
    assert grant_entry["legal_basis"].endswith("AVG art. 6(1)(a)")
    assert grant_entry["categories"] == ["leerling", "oudersverzorgers"]
    assert grant_entry["subject_ref"] == created["subject_ref"]
    assert grant_entry["actor"] == "ib-1"
    assert events[5]["rule"] == "consent.grant/deny/consent_grantors_insufficient"


def test_bsns_and_names_are_never_answered_nor_stored_in_clear(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    subject = {**pupil_aged(13), "given_name": "Sam", "family_name": "Vermeulen"}
    mother = parent(NAMES[0], bsn=MOTHER_BSN)
    gezag = register_gezag(gateway, school, subject, mother, has=True)
    no_gezag = register_gezag(gateway, school, subject, parent(NAMES[1], FATHER_BSN), has=False)
    body = consent_body(
        [wijkteam.id],
        subject=subject,
        granted_by=[mother, child(NAMES[2], bsn=PUPIL_BSN)],
        evidence="paper",
        evidence_ref="scan 2016-044 Vermeulen",
    )
    created = grant(gateway, school, body, gezag=False)
    assert created.status_code == 201, created.text
    headers = school.headers(REFERRAL)
    read = gateway.client.get(f"/v1/consents/{created.json()['id']}", headers=headers)
    search = gateway.client.post("/v1/consents/search", json={"subject": subject}, headers=headers)
    without = {**body, "granted_by": [parent(NAMES[1], FATHER_BSN)]}
    refused = grant(gateway, school, without, gezag=False)
    assert refused.json()["code"] == "gezag_unknown"

    secrets = (PUPIL_BSN, MOTHER_BSN, FATHER_BSN, *NAMES, "Vermeulen", "scan 2016-044")
    for response in (gezag, no_gezag, created, read, search, refused):
        assert not [secret for secret in secrets if secret in response.text]
    with gateway.services.db.engine.connect() as connection:
        dump = repr(
            [
                row
                for table in Base.metadata.sorted_tables
                for row in connection.execute(table.select())
            ]
        )
    assert not [secret for secret in secrets if secret in dump]


def test_a_consent_is_registered_only_under_its_own_purpose(gateway: Gateway) -> None:
    """X-Purpose and the body's purpose name one purpose: a school acting under one
    purpose cannot file a consent for another beside it."""
    school = audited(gateway, "school_po")
    wijkteam = gateway.make_org("wijkteam")
    body = consent_body([wijkteam.id])
    with_gezag(gateway, body["subject"], *body["granted_by"])
    response = gateway.client.post(
        "/v1/consents",
        json=body,
        headers=school.headers(purpose="leerplicht.verzuim", actor="ib-1"),
    )
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "purpose_mismatch"
    with gateway.services.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Consent)) == 0
    refusal = next(e for e in audit_log(gateway, school) if e["action"] == "consent.grant")
    assert (refusal["decision"], refusal["purpose"]) == ("deny", REFERRAL)
