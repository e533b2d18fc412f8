"""An organisation's own refused try about a pupil never names the organisation that
holds the pupil's record: not in its events, not in its Logboek records. The holder's
privacy officer sees the try, with itself as the owner."""

from __future__ import annotations

from typing import Any

from tests.support.gateway import OFFICER, Gateway, audit_log, audited
from tests.support.portal import CHILD, enrol, register_gezag

NEVER_SEEN = {"bsn": "999990135", "birth_date": "2001-01-01"}


def tried(gateway: Gateway, stranger: Any, wijkteam: Any, subject: dict[str, str]) -> None:
    answer = gateway.client.post(
        "/v1/transfers",
        json={"recipient": wijkteam.id, "subject": subject, "dossier": {"leerling": {}}},
        headers=stranger.headers(purpose="jgz.terugkoppeling", actor="jgz-1"),
    )
    assert answer.status_code == 403, answer.text


def logboek(gateway: Gateway, officer: Any) -> list[dict[str, Any]]:
    answer = gateway.client.get("/v1/audit/logboek", headers=officer.headers(**OFFICER))
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_a_refused_try_does_not_name_the_holder_of_the_record(gateway: Gateway) -> None:
    school = audited(gateway, "school_po")
    vo = gateway.make_org("school_vo")
    register_gezag(gateway, school, CHILD, "999990019")
    enrol(gateway, vo, CHILD)
    stranger = audited(gateway, "jgz")
    wijkteam = gateway.make_org("wijkteam")
    tried(gateway, stranger, wijkteam, CHILD)
    tried(gateway, stranger, wijkteam, NEVER_SEEN)

    known, unknown = (e for e in audit_log(gateway, stranger) if e["action"] == "transfer.send")
    assert known["owner"] is None and unknown["owner"] is None
    records = [r for r in logboek(gateway, stranger) if r["name"] == "transfer.send"]
    assert [r["attributes"]["gateway.owner"] for r in records] == [None, None]
    # The holder's officer sees the try on its pupil, itself named as the owner.
    (seen,) = (e for e in audit_log(gateway, school) if e["org"] == stranger.id)
    assert seen["owner"] == school.id
