"""A consent the pupil outgrows: from the birthday on which its grantors no longer meet
the age rule (parents alone at 12 for youth care, at 16 for plain consent), it is
`renewal_needed`, counts for no access, and its registering organisation can find it.

The birthday is the Dutch date: the consent counts until midnight in Amsterdam.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from httpx2 import Response

from tests.support.consent import (
    FATHER_BSN,
    NAMES,
    REFERRAL,
    child,
    consent_body,
    granted,
    parent,
    post_gezag,
    pupil_aged,
    pupils_school,
    refresh,
)
from tests.support.gateway import Gateway, Org, audit_log, audited

# The pupil turns 12 on 25 April 2016, ten days after the harness's start.
TURNS_12 = pupil_aged(11, birthday_in_days=10)
# 23:59:59 on 24 April in Amsterdam (summer time, UTC+2), then its next second.
EVE = datetime(2016, 4, 24, 21, 59, 59, tzinfo=UTC)


def at(gateway: Gateway, moment: datetime, *orgs: Org) -> None:
    gateway.clock.advance(moment - gateway.clock.now())
    refresh(gateway, *orgs)


def read(gateway: Gateway, org: Org, consent_id: str) -> dict[str, Any]:
    response = gateway.client.get(f"/v1/consents/{consent_id}", headers=org.headers(REFERRAL))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def refer(gateway: Gateway, school: Org, wijkteam: Org, subject: dict[str, str]) -> Response:
    return gateway.client.post(
        "/v1/transfers",
        json={
            "recipient": wijkteam.id,
            "subject": subject,
            "dossier": {"leerling": {"roepnaam": "Sam"}},
        },
        headers=school.headers(purpose=REFERRAL, actor="ib-1", role="ib"),
    )


def renewals(gateway: Gateway, org: Org) -> list[dict[str, Any]]:
    response = gateway.client.get(
        "/v1/consents", params={"state": "renewal_needed"}, headers=org.headers(REFERRAL)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_parents_consent_needs_renewal_from_the_12th_birthday_in_dutch_time(
    gateway: Gateway,
) -> None:
    school = pupils_school(gateway)
    wijkteam = gateway.make_org("wijkteam")
    created = granted(gateway, school, consent_body([wijkteam.id], subject=TURNS_12))

    at(gateway, EVE, school, wijkteam)
    before = read(gateway, school, created["id"])
    assert (before["status"], before["renewal"]) == ("active", None)
    assert renewals(gateway, school) == []
    assert refer(gateway, school, wijkteam, TURNS_12).status_code == 201

    at(gateway, EVE + timedelta(seconds=1), school, wijkteam)
    after = read(gateway, school, created["id"])
    assert after["status"] == "renewal_needed"
    assert after["renewal"]["since"] == "2016-04-25"
    assert "the pupil" in after["renewal"]["reason"]
    refused = refer(gateway, school, wijkteam, TURNS_12)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "consent_missing"
    # The recipient reads the same state; the list is the registering school's own.
    assert read(gateway, wijkteam, created["id"])["status"] == "renewal_needed"
    assert renewals(gateway, wijkteam) == []
    listed = renewals(gateway, school)
    assert [item["id"] for item in listed] == [created["id"]]
    assert listed[0]["renewal"] == after["renewal"]
    search = gateway.client.post(
        "/v1/consents/search", json={"subject": TURNS_12}, headers=school.headers(REFERRAL)
    )
    assert [item["status"] for item in search.json()["items"]] == ["renewal_needed"]


def test_listing_the_consents_to_renew_is_on_record_per_consent(gateway: Gateway) -> None:
    school = audited(gateway, "school_po")
    wijkteam = gateway.make_org("wijkteam")
    created = granted(gateway, school, consent_body([wijkteam.id], subject=TURNS_12))
    at(gateway, EVE + timedelta(seconds=1), school, wijkteam)
    assert len(renewals(gateway, school)) == 1
    entries = [
        entry
        for entry in audit_log(gateway, school)
        if entry["action"] == "consent.renewal" and entry["object_id"] == created["id"]
    ]
    assert [(e["decision"], e["purpose"], e["rule"]) for e in entries] == [
        ("permit", REFERRAL, "consent/renewal")
    ]


def test_a_consent_of_parents_and_child_outlives_16_and_one_of_parents_alone_does_not(
    gateway: Gateway,
) -> None:
    school = pupils_school(gateway)
    wijkteam = gateway.make_org("wijkteam")
    leerplicht = gateway.make_org("leerplicht")
    turns_16 = pupil_aged(15, birthday_in_days=3)
    both = granted(
        gateway,
        school,
        consent_body([wijkteam.id], subject=turns_16, granted_by=[parent(), child()]),
    )
    # Plain AVG consent (UAVG art. 5): the parents decide until 16, then the pupil.
    alone = granted(
        gateway,
        school,
        consent_body(
            [leerplicht.id],
            subject=turns_16,
            purpose="leerplicht.thuiszitter",
            categories=("onderwijsondersteuning",),
        ),
    )
    at(gateway, gateway.clock.now() + timedelta(days=3), school)
    assert read(gateway, school, both["id"])["status"] == "active"
    assert read(gateway, school, alone["id"])["status"] == "renewal_needed"
    assert [item["id"] for item in renewals(gateway, school)] == [alone["id"]]


def test_withdrawn_and_expired_consents_need_no_renewal(gateway: Gateway) -> None:
    school = pupils_school(gateway)
    wijkteam = gateway.make_org("wijkteam")
    withdrawn = granted(gateway, school, consent_body([wijkteam.id], subject=TURNS_12))
    expiring = granted(
        gateway,
        school,
        consent_body([wijkteam.id], subject=TURNS_12, valid_until="2016-04-24"),
    )
    response = gateway.client.post(
        f"/v1/consents/{withdrawn['id']}/withdraw", headers=school.headers(REFERRAL)
    )
    assert response.status_code == 200, response.text
    at(gateway, EVE + timedelta(seconds=1), school)
    assert read(gateway, school, withdrawn["id"])["status"] == "withdrawn"
    assert read(gateway, school, expiring["id"])["status"] == "expired"
    assert renewals(gateway, school) == []


def test_the_school_renews_on_a_paper_form_of_parent_and_child(gateway: Gateway) -> None:
    """A pupil without a login of their own consents on paper, as before: the school
    registers the signed form, and the referral may go again."""
    school = pupils_school(gateway)
    wijkteam = gateway.make_org("wijkteam")
    old = granted(gateway, school, consent_body([wijkteam.id], subject=TURNS_12))
    at(gateway, EVE + timedelta(seconds=1), school, wijkteam)
    assert refer(gateway, school, wijkteam, TURNS_12).status_code == 403
    paper = consent_body(
        [wijkteam.id],
        subject=TURNS_12,
        granted_by=[parent(), child()],
        evidence="paper",
        evidence_ref="formulier 2016-17",
    )
    renewed = granted(gateway, school, paper)
    assert renewed["status"] == "active"
    assert refer(gateway, school, wijkteam, TURNS_12).status_code == 201
    assert read(gateway, school, old["id"])["status"] == "renewal_needed"


def test_the_state_filter_is_closed(gateway: Gateway) -> None:
    school = pupils_school(gateway)
    for params in ({"state": "active"}, {}, {"state": "renewal_needed", "limit": "0"}):
        response = gateway.client.get(
            "/v1/consents", params=params, headers=school.headers(REFERRAL)
        )
        assert response.status_code == 422, (params, response.text)


KNOOPPUNT = "knooppunt.casus"


def knooppunt_consent(gateway: Gateway, school: Org, wijkteam: Org) -> dict[str, Any]:
    """The one parent with sole gezag consents for a pupil of 11 (the region asks both
    parents for the knooppunt: both who hold gezag, here that one)."""
    body = consent_body(
        [wijkteam.id],
        subject=TURNS_12,
        purpose=KNOOPPUNT,
        categories=("leerling",),
    )
    return granted(gateway, school, body)


def test_a_consent_by_the_parent_with_sole_gezag_is_active_until_the_12th_birthday(
    gateway: Gateway,
) -> None:
    school = pupils_school(gateway)
    wijkteam = gateway.make_org("wijkteam")
    created = knooppunt_consent(gateway, school, wijkteam)
    assert (created["status"], created["renewal"]) == ("active", None)
    assert read(gateway, school, created["id"])["status"] == "active"
    assert renewals(gateway, school) == []

    at(gateway, EVE + timedelta(seconds=1), school)
    after = read(gateway, school, created["id"])
    assert after["status"] == "renewal_needed"
    assert after["renewal"]["since"] == "2016-04-25"
    # The pupil is missing now, not a second parent: sole gezag still counts as both.
    assert "the pupil" in after["renewal"]["reason"]
    assert "both parents" not in after["renewal"]["reason"]


def test_a_sole_gezag_consent_needs_renewal_once_gezag_becomes_joint(gateway: Gateway) -> None:
    school = pupils_school(gateway)
    wijkteam = gateway.make_org("wijkteam")
    created = knooppunt_consent(gateway, school, wijkteam)
    at(gateway, gateway.clock.now() + timedelta(days=2), school)
    father = {"role": "parent", "name": NAMES[1], "bsn": FATHER_BSN}
    assert post_gezag(gateway, school, TURNS_12, father, has=True).status_code == 201
    after = read(gateway, school, created["id"])
    assert after["status"] == "renewal_needed"
    assert after["renewal"]["since"] == "2016-04-17"
    assert "both parents with gezag" in after["renewal"]["reason"]
    assert [item["id"] for item in renewals(gateway, school)] == [created["id"]]
