"""Withdrawal and expiry: effective at once for every access, history kept, recipients told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from consent import service
from consent.models import Consent, ConsentEvent, ConsentNotification
from consent.state import consent_state
from gateway.core.errors import NotFound
from policies.model import ConsentState
from tests.support.consent import (
    MOTHER_BSN,
    OTHER_BSN,
    PUPIL_BSN,
    REFERRAL,
    consent_body,
    granted,
    parent,
    refresh,
)
from tests.support.gateway import Gateway, Org

CATEGORIES = frozenset({"leerling"})


def state(
    gateway: Gateway, subject_ref: str, recipient: Org, categories: frozenset[str] = CATEGORIES
) -> ConsentState | None:
    with gateway.services.db.sessions() as session:
        return consent_state(
            session,
            subject_ref=subject_ref,
            purpose=REFERRAL,
            recipient_org_id=recipient.id,
            categories=categories,
            now=gateway.clock.now(),
        )


def withdraw(gateway: Gateway, org: Org, consent_id: str) -> tuple[int, dict[str, object]]:
    response = gateway.client.post(
        f"/v1/consents/{consent_id}/withdraw", headers=org.headers(REFERRAL, actor="ib-2")
    )
    return response.status_code, response.json()


def test_withdrawal_stops_the_consent_at_once_and_tells_the_recipients(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    jeugdhulp = gateway.make_org("jeugdhulp")
    created = granted(gateway, school, consent_body([wijkteam.id, jeugdhulp.id]))
    subject_ref = gateway.internal_ref(school, created["subject_ref"])
    assert state(gateway, subject_ref, wijkteam) == ConsentState(
        ("parent",), frozenset({"leerling", "oudersverzorgers"})
    )

    status, body = withdraw(gateway, school, created["id"])

    assert (status, body["status"]) == (200, "withdrawn")
    assert state(gateway, subject_ref, wijkteam) is None
    assert state(gateway, subject_ref, jeugdhulp) is None
    for recipient in (wijkteam, jeugdhulp):
        fetched = gateway.client.get(
            "/v1/consents/notifications", headers=recipient.headers(REFERRAL)
        )
        assert fetched.status_code == 200, fetched.text
        [notice] = fetched.json()["items"]
        assert notice["kind"] == "withdrawn"
        assert notice["consent_id"] == created["id"]
        # Each recipient reads the pupil under its own pseudonym.
        assert notice["subject_ref"] != created["subject_ref"]
        mapped = gateway.internal_ref(recipient, notice["subject_ref"])
        assert (mapped, notice["purpose"]) == (subject_ref, REFERRAL)
        again = gateway.client.get(
            "/v1/consents/notifications", headers=recipient.headers(REFERRAL)
        )
        assert again.json()["items"] == [], "fetching delivers"
    own = gateway.client.get("/v1/consents/notifications", headers=school.headers(REFERRAL))
    assert own.json()["items"] == []
    with gateway.services.db.sessions() as session:
        delivered = session.scalars(select(ConsentNotification.delivered_at)).all()
    assert delivered == [gateway.clock.now()] * 2


def test_withdrawal_keeps_the_whole_history(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    created = granted(gateway, school, consent_body([wijkteam.id]))
    gateway.clock.advance(timedelta(hours=2))
    refresh(gateway, school, wijkteam)
    assert withdraw(gateway, school, created["id"])[0] == 200

    read = gateway.client.get(
        f"/v1/consents/{created['id']}", headers=wijkteam.headers(REFERRAL)
    ).json()
    assert read["status"] == "withdrawn"
    assert read["withdrawn_at"] == "2016-04-15T11:00:00Z"
    assert [(e["kind"], e["at"]) for e in read["history"]] == [
        ("granted", "2016-04-15T09:00:00Z"),
        ("withdrawn", "2016-04-15T11:00:00Z"),
    ]
    with gateway.services.db.sessions() as session:
        row = session.get(Consent, created["id"])
        events = session.scalars(select(ConsentEvent).order_by(ConsentEvent.id)).all()
    assert row is not None and (row.withdrawn_by, row.withdrawn_by_org) == ("ib-2", school.id)
    assert [(e.kind, e.org_id, e.actor) for e in events] == [
        ("granted", school.id, "ib-1"),
        ("withdrawn", school.id, "ib-2"),
    ]


def test_only_the_registering_org_withdraws_and_only_once(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    outsider = gateway.make_org("school_po")
    created = granted(gateway, school, consent_body([wijkteam.id]))

    assert withdraw(gateway, outsider, created["id"])[0] == 404
    status, problem = withdraw(gateway, wijkteam, created["id"])
    assert (status, problem["code"]) == (403, "withdraw_not_allowed")
    assert withdraw(gateway, school, created["id"])[0] == 200
    status, problem = withdraw(gateway, school, created["id"])
    assert (status, problem["code"]) == (409, "consent_withdrawn")


def test_a_parent_or_the_pupil_withdraws_through_the_portal(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    mother = parent(bsn=MOTHER_BSN)
    by_mother = granted(gateway, school, consent_body([wijkteam.id], granted_by=[mother]))
    by_school = granted(gateway, school, consent_body([wijkteam.id]))
    pseudonym = gateway.keyring.pseudonyms.subject_ref
    now = gateway.clock.now()

    with gateway.services.db.sessions() as session, session.begin():
        with pytest.raises(NotFound):
            service.withdraw(
                session, consent_id=by_mother["id"], by=pseudonym(OTHER_BSN), org_id=None, now=now
            )
        withdrawn = service.withdraw(
            session, consent_id=by_mother["id"], by=pseudonym(MOTHER_BSN), org_id=None, now=now
        )
        assert withdrawn.withdrawn_by == pseudonym(MOTHER_BSN)
        pupil = service.withdraw(
            session, consent_id=by_school["id"], by=pseudonym(PUPIL_BSN), org_id=None, now=now
        )
        assert pupil.withdrawn_by_org is None
        everything = service.search(session, subject_ref=pupil.subject_ref, org_id=None)
        assert {c.id for c in everything} == {by_mother["id"], by_school["id"]}
    assert state(gateway, gateway.internal_ref(school, by_school["subject_ref"]), wijkteam) is None


def test_a_consent_expires_at_the_end_of_its_last_day_in_dutch_time(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    created = granted(gateway, school, consent_body([wijkteam.id], valid_until="2016-04-25"))
    subject_ref = gateway.internal_ref(school, created["subject_ref"])

    # 23:59:59 on 25 April in Amsterdam (summer time, UTC+2): still counts.
    gateway.clock.advance(datetime(2016, 4, 25, 21, 59, 59, tzinfo=UTC) - gateway.clock.now())
    assert state(gateway, subject_ref, wijkteam) is not None
    gateway.clock.advance(timedelta(seconds=1))
    assert state(gateway, subject_ref, wijkteam) is None

    refresh(gateway, school)
    read = gateway.client.get(f"/v1/consents/{created['id']}", headers=school.headers(REFERRAL))
    assert read.json()["status"] == "expired"
    assert read.json()["valid_until"] == "2016-04-25"
