"""Registering a consent needs standing with the pupil (DOMAIN §7), asked first.

An organisation of a kind that is party to the flow is not enough: a stranger school
could otherwise learn a pupil's birth date (subject_conflict) or who holds gezag
(gezag_unknown) from the answer, and its consent would count for the pupil's real
school. Without the relation the flow asks of it, the registrant gets one answer,
`sender_not_related`, whatever it states, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from consent.models import Consent
from gateway.subjects import service as subjects
from tests.support.consent import (
    FATHER_BSN,
    MOTHER_BSN,
    OTHER_BSN,
    REFERRAL,
    consent_body,
    grant,
    parent,
    pupil_aged,
    register_gezag,
)
from tests.support.gateway import Gateway, Org, audit_log, audited
from tests.support.standing import at_the_table, received

CASUS = "knooppunt.casus"
VOORSCHOOL = "overdracht.voorschool_po"
PUPIL = pupil_aged(10)
UNKNOWN_BSN = "123456782"


def consents(gateway: Gateway) -> int:
    with gateway.services.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Consent)) or 0)


def problem(response: Any) -> dict[str, Any]:
    """The answer without what differs between any two requests."""
    body = dict(response.json())
    for volatile in ("instance", "trace_id", "request_id"):
        body.pop(volatile, None)
    return {"status": response.status_code, **body}


def pupils_school_with_gezag(gateway: Gateway) -> Org:
    school = audited(gateway, "school_po")
    created = register_gezag(gateway, school, PUPIL, parent(bsn=MOTHER_BSN), has=True)
    assert created.status_code == 201, created.text
    return school


@pytest.mark.parametrize("purpose", [REFERRAL, CASUS])
def test_a_stranger_school_learns_nothing_and_registers_nothing(
    gateway: Gateway, purpose: str
) -> None:
    school = pupils_school_with_gezag(gateway)
    stranger, wijkteam = gateway.make_org("school_po"), gateway.make_org("wijkteam")
    swv = gateway.make_org("swv_po")
    recipient = swv if purpose == CASUS else wijkteam
    wrong_date = {**PUPIL, "birth_date": "2012-02-29"}
    unknown = {**PUPIL, "bsn": UNKNOWN_BSN}
    holder, not_holder = parent(bsn=MOTHER_BSN), parent(bsn=FATHER_BSN)
    before = consents(gateway)

    tries = [
        (PUPIL, holder),
        (wrong_date, holder),
        (unknown, holder),
        (PUPIL, not_holder),
        (PUPIL, parent(bsn=OTHER_BSN)),
    ]
    answers = [
        grant(
            gateway,
            stranger,
            consent_body([recipient.id], subject=subject, granted_by=[who], purpose=purpose),
            gezag=False,
            standing=False,
        )
        for subject, who in tries
    ]

    assert answers[0].status_code == 403, answers[0].text
    assert answers[0].json()["code"] == "sender_not_related"
    assert all(problem(a) == problem(answers[0]) for a in answers)
    assert consents(gateway) == before
    # Nothing stated about the unknown pupil was kept either.
    with gateway.services.db.sessions() as session:
        ref = gateway.keyring.pseudonyms.subject_ref(UNKNOWN_BSN)
        assert subjects.identity(session, ref, keyring=gateway.keyring) is None
    # Every try is on record, the known pupil's in the log of the school whose pupil it is.
    refused = [
        e
        for e in audit_log(gateway, school)
        if e["action"] == "consent.grant" and e["org"] == stranger.id
    ]
    assert [e["code"] for e in refused] == ["sender_not_related"] * 4


def test_the_related_parties_still_register(gateway: Gateway) -> None:
    school = pupils_school_with_gezag(gateway)
    wijkteam = gateway.make_org("wijkteam")
    other_wijkteam = gateway.make_org("wijkteam")
    body = consent_body([wijkteam.id], subject=PUPIL, granted_by=[parent(bsn=MOTHER_BSN)])

    by_school = grant(gateway, school, body, gezag=False, standing=False)
    assert by_school.status_code == 201, by_school.text

    # A recipient needs data on the pupil: the wijkteam that received the referral.
    refused = grant(gateway, wijkteam, body, gezag=False, standing=False)
    assert (refused.status_code, refused.json()["code"]) == (403, "sender_not_related")
    received(gateway, wijkteam, PUPIL, REFERRAL)
    by_wijkteam = grant(gateway, wijkteam, body, gezag=False, standing=False)
    assert by_wijkteam.status_code == 201, by_wijkteam.text
    # ... and only that one.
    other = grant(gateway, other_wijkteam, body, gezag=False, standing=False)
    assert (other.status_code, other.json()["code"]) == (403, "sender_not_related")


def test_a_forged_case_consent_is_not_registered(gateway: Gateway) -> None:
    """The reviewed attack: a stranger's paper knooppunt consent naming the SWV, which
    the real school's push would otherwise have relied on."""
    pupils_school_with_gezag(gateway)
    stranger, swv = gateway.make_org("school_po"), gateway.make_org("swv_po")
    body = consent_body(
        [swv.id],
        subject=PUPIL,
        granted_by=[parent(bsn=MOTHER_BSN)],
        purpose=CASUS,
        categories=("leerling", "onderwijsondersteuning"),
        evidence="paper",
        evidence_ref="form-1",
    )
    before = consents(gateway)

    forged = grant(gateway, stranger, body, gezag=False, standing=False)

    assert (forged.status_code, forged.json()["code"]) == (403, "sender_not_related")
    assert consents(gateway) == before
    # At the case's table it is no stranger any more.
    at_the_table(gateway, stranger, PUPIL)
    assert grant(gateway, stranger, body, gezag=False, standing=False).status_code == 201


def test_a_voorschool_registers_but_learns_nothing_of_the_birth_date(gateway: Gateway) -> None:
    """Its own consent is a voorschool's standing, so it registers without another; a
    birth date that conflicts with the record is taken as its statement, not refused,
    and the record stands."""
    toddler = pupil_aged(4)
    school = audited(gateway, "school_po")
    created = register_gezag(gateway, school, toddler, parent(bsn=MOTHER_BSN), has=True)
    assert created.status_code == 201, created.text
    right, wrong = gateway.make_org("voorschool"), gateway.make_org("voorschool")

    def consent(voorschool: Org, subject: dict[str, str]) -> Any:
        body = consent_body(
            [school.id],
            subject=subject,
            granted_by=[parent(bsn=MOTHER_BSN)],
            purpose=VOORSCHOOL,
            categories=("leerling",),
        )
        return grant(gateway, voorschool, body, gezag=False, standing=False)

    matching = consent(right, toddler)
    other_date = pupil_aged(4, birthday_in_days=-9)["birth_date"]
    conflicting = consent(wrong, {**toddler, "birth_date": other_date})

    assert (matching.status_code, conflicting.status_code) == (201, 201), conflicting.text
    assert sorted(matching.json()) == sorted(conflicting.json())
    with gateway.services.db.sessions() as session:
        ref = gateway.keyring.pseudonyms.subject_ref(toddler["bsn"])
        on_record = subjects.identity(session, ref, keyring=gateway.keyring)
    assert on_record is not None and on_record.birth_date.isoformat() == toddler["birth_date"]
