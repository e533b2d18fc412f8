"""Only a party involved with the pupil starts a case about them.

A case makes its participants' standing with the pupil (`case` in a route's
`sender_relation`): for a verwijsindex signal, a case consent, the parents' visie. So a
case may not be started on a case of one's own: the catalog's `create_relation` names
what counts (the pupil enrolled at the school, or received through the gateway). A
stranger is refused `sender_not_related` before the pupil's record is read, the same
whether the pupil is known or not and whatever birth date it stated, nothing is stored,
and the attempt is on its log and on that of the pupil's school.

These tests give no standing for free: the test gateway's `auto_standing` is off.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from gateway.cases.models import Case, CaseParticipant
from tests.cases.helpers import PUPIL, headers, join
from tests.signals.helpers import signal
from tests.support.gateway import Gateway, Org, audit_log, audited, enrol_pupil
from tests.support.standing import received

UNKNOWN_PUPIL = {"bsn": "123456782", "birth_date": "2015-09-01"}
WRONG_BIRTH = {**PUPIL, "birth_date": "2014-02-03"}


@pytest.fixture
def strict(gateway: Gateway) -> Gateway:
    gateway.auto_standing = False
    return gateway


def start(gateway: Gateway, org: Org, subject: dict[str, Any]) -> Any:
    body = {"subject": subject, "kind": "knooppunt", "title": "Zorgen om de schooldag"}
    return gateway.client.post("/v1/cases", json=body, headers=headers(org))


def stored(gateway: Gateway) -> tuple[int, int]:
    with gateway.services.db.sessions() as session:
        cases = session.scalar(select(func.count()).select_from(Case))
        seats = session.scalar(select(func.count()).select_from(CaseParticipant))
        return int(cases or 0), int(seats or 0)


@pytest.mark.parametrize("kind", ["school_po", "wijkteam", "jeugdhulp"])
def test_a_stranger_cannot_start_a_case_and_learns_nothing_of_the_pupil(
    strict: Gateway, kind: str
) -> None:
    gateway = strict
    school = audited(gateway, "school_po")
    enrol_pupil(gateway, school, PUPIL)
    stranger = audited(gateway, kind)
    before = stored(gateway)

    answers = [start(gateway, stranger, s) for s in (PUPIL, WRONG_BIRTH, UNKNOWN_PUPIL)]

    for answer in answers:
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "sender_not_related"
    # The same bytes for the pupil on record, a wrong birth date and an unknown pupil:
    # no 409 subject_conflict tells a stranger the birth date is wrong.
    assert answers[0].content == answers[1].content == answers[2].content
    assert stored(gateway) == before
    tries = [e for e in audit_log(gateway, stranger) if e["action"] == "case.create"]
    assert [(e["decision"], e["code"]) for e in tries] == [("deny", "sender_not_related")] * 3
    # The pupil's school sees who tried to start a case about its pupil (the two tries
    # about its pupil; the unknown one is no one's).
    seen = [
        e
        for e in audit_log(gateway, school)
        if e["action"] == "case.create" and e["org"] == stranger.id
    ]
    assert [(e["decision"], e["code"]) for e in seen] == [("deny", "sender_not_related")] * 2


def test_a_party_involved_with_the_pupil_starts_the_case(strict: Gateway) -> None:
    gateway = strict
    school, wijkteam, jeugdhulp = (
        gateway.make_org("school_po"),
        gateway.make_org("wijkteam"),
        gateway.make_org("jeugdhulp"),
    )
    enrol_pupil(gateway, school, PUPIL)
    # The school referred the pupil: the wijkteam and jeugdhulp received them.
    received(gateway, wijkteam, PUPIL, "jeugdhulp.verwijzing")
    received(gateway, jeugdhulp, PUPIL, "tlv.advies")
    for org in (school, wijkteam, jeugdhulp):
        started = start(gateway, org, PUPIL)
        assert started.status_code == 201, started.text


def test_what_a_party_sent_itself_or_a_case_of_its_own_is_no_standing(strict: Gateway) -> None:
    """A case one sits at is no standing to start another (the catalog refuses a
    `create_relation` naming `case`); a party brought to the table by a legitimate
    creator still starts none of its own."""
    gateway = strict
    school, wijkteam = gateway.make_org("school_po"), gateway.make_org("wijkteam")
    enrol_pupil(gateway, school, PUPIL)
    started = start(gateway, school, PUPIL)
    assert started.status_code == 201, started.text
    case_id = started.json()["id"]
    assert join(gateway, case_id, school, wijkteam).status_code == 201
    refused = start(gateway, wijkteam, PUPIL)
    assert (refused.status_code, refused.json()["code"]) == (403, "sender_not_related")
    flow = gateway.services.catalog.flow_for_purpose("knooppunt.casus")
    assert flow is not None and flow.create_relation is not None
    assert not flow.create_relation.case and not flow.create_relation.registered_consent
    assert not flow.create_relation.holds_data


def test_a_refused_stranger_cannot_signal_or_seat_itself_at_anothers_case(
    strict: Gateway,
) -> None:
    gateway = strict
    school = gateway.make_org("school_po")
    enrol_pupil(gateway, school, PUPIL)
    stranger = audited(gateway, "wijkteam")
    assert start(gateway, stranger, PUPIL).status_code == 403
    # No case of its own: the verwijsindex still finds it involved with nothing.
    refused = signal(gateway, stranger, PUPIL["bsn"])
    assert (refused.status_code, refused.json()["code"]) == (403, "sender_not_related")
    # Nor does it seat itself at the school's case: adding a participant is for a
    # participant with a mandate, and to anyone else the case is an unknown id.
    case_id = start(gateway, school, PUPIL).json()["id"]
    seat = {"org": stranger.id, "role": "deelnemer", "person": "p-1", "mandate": True}
    tried = gateway.client.post(
        f"/v1/cases/{case_id}/participants", json=seat, headers=headers(stranger)
    )
    assert tried.status_code == 404, tried.text
    with gateway.services.db.sessions() as session:
        assert session.get(CaseParticipant, (case_id, stranger.id)) is None
    # And so no signal through that case either.
    refused = signal(gateway, stranger, PUPIL["bsn"])
    assert (refused.status_code, refused.json()["code"]) == (403, "sender_not_related")
