"""A knooppunt push between participants: the case register says who is one.

The catalog's `participant` holds when the recipient takes part with a mandate in an
open case about the same pupil at which the sender takes part too. Anything else is
refused (`not_participant`), on record, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from gateway.transfers.models import Transfer
from tests.cases.helpers import PUPIL, PURPOSE, Table, case_consent, headers, join, table
from tests.support.gateway import Gateway, Org, audit_log, lawful_dossier

DOSSIER = lawful_dossier(["leerling"])


def push(gateway: Gateway, sender: Org, recipient: Org) -> Any:
    return gateway.client.post(
        "/v1/transfers",
        headers=sender.headers(PURPOSE),
        json={"recipient": recipient.id, "subject": PUPIL, "dossier": DOSSIER},
    )


def stored(gateway: Gateway) -> int:
    with gateway.services.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Transfer)) or 0)


def refused(gateway: Gateway, at: Table, sender: Org, recipient: Org) -> None:
    """The push is denied as no participant, logged for the sender, and leaves nothing."""
    before = stored(gateway)
    response = push(gateway, sender, recipient)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "not_participant"
    assert stored(gateway) == before
    newest = next(e for e in audit_log(gateway, at.school) if e["action"] == "transfer.send")
    assert (newest["decision"], newest["code"], newest["org"]) == (
        "deny",
        "not_participant",
        sender.id,
    )


def test_a_push_between_participants_under_the_case_consent_is_permitted(
    gateway: Gateway,
) -> None:
    at = table(gateway)
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    response = push(gateway, at.school, at.wijkteam)
    assert response.status_code == 201, response.text
    read = gateway.client.get(
        f"/v1/transfers/{response.json()['id']}", headers=at.wijkteam.headers(PURPOSE)
    )
    assert read.status_code == 200, read.text
    assert read.json()["dossier"] == DOSSIER


def test_no_mandate_or_no_seat_at_the_table_is_no_participant(gateway: Gateway) -> None:
    at = table(gateway)
    jgz = gateway.make_org("jgz")
    assert join(gateway, at.case_id, at.school, jgz, mandate=False).status_code == 201
    case_consent(gateway, at.school, [jgz], ("leerling",), at.case_id)
    refused(gateway, at, at.school, jgz)
    # A consent for no case does not make a stranger a participant either.
    outsider = gateway.make_org("smw")
    case_consent(gateway, at.school, [outsider], ("leerling",), None)
    refused(gateway, at, at.school, outsider)
    # Nor may a sender that is not at the table push to one that is.
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    stranger = gateway.make_org("school_po")
    before = stored(gateway)
    assert push(gateway, stranger, at.wijkteam).json()["code"] == "not_participant"
    assert stored(gateway) == before


def test_leaving_ends_the_push_and_the_read_at_once(gateway: Gateway) -> None:
    at = table(gateway)
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    sent = push(gateway, at.school, at.wijkteam)
    assert sent.status_code == 201, sent.text
    left = gateway.client.post(
        f"/v1/cases/{at.case_id}/participants/{at.wijkteam.id}/leave", headers=headers(at.school)
    )
    assert left.status_code == 200, left.text
    refused(gateway, at, at.school, at.wijkteam)
    read = gateway.client.get(
        f"/v1/transfers/{sent.json()['id']}", headers=at.wijkteam.headers(PURPOSE)
    )
    assert read.status_code == 403
    assert read.json()["code"] == "not_participant"


def test_a_closed_case_carries_no_push(gateway: Gateway) -> None:
    at = table(gateway)
    case_consent(gateway, at.school, [at.wijkteam], ("leerling",), at.case_id)
    closed = gateway.client.post(f"/v1/cases/{at.case_id}/close", headers=headers(at.school))
    assert closed.status_code == 200, closed.text
    refused(gateway, at, at.school, at.wijkteam)
