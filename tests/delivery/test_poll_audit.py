"""A poll that hands notifications over is on the audit log, in its own transaction: one
entry per poll naming the run of notifications and the pupil; an empty poll leaves none."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from tests.delivery.helpers import bearer, push, schools
from tests.signals.helpers import child, reporter, signalled
from tests.support.gateway import Gateway, Org


def entries(gateway: Gateway, action: str = "notification.poll") -> list[AuditEntry]:
    with gateway.services.db.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        return list(session.scalars(query))


def poll(gateway: Gateway, org: Org, query: str = "", actor: str = "koppeling-1") -> Any:
    return gateway.client.get(
        f"/v1/notifications{query}", headers={**bearer(org), "X-Actor": actor}
    )


def test_a_poll_that_returns_notifications_is_one_entry_with_their_ids_and_pupil(
    gateway: Gateway,
) -> None:
    po, vo = schools(gateway)
    first, second = push(gateway, po, vo).json(), push(gateway, po, vo).json()
    pupil = gateway.internal_ref(po, first["subject_ref"])
    assert gateway.internal_ref(po, second["subject_ref"]) == pupil
    response = poll(gateway, vo)
    assert response.status_code == 200, response.text
    notes = response.json()["items"]
    assert [n["data"]["transfer_id"] for n in notes] == [first["id"], second["id"]]
    (entry,) = entries(gateway)  # one per poll, not one per notification
    assert (entry.org, entry.actor, entry.purpose, entry.decision) == (
        vo.id,
        "koppeling-1",
        "koppeling.webhooks",
        "permit",
    )
    assert entry.object_id == f"{notes[0]['id']}..{notes[1]['id']}"
    # The gateway's own pseudonym, as every entry holds; the parents' access log and the
    # officer's search by pupil find it.
    assert entry.subject_ref == pupil
    assert entry.request_id is not None

    # Polling on from the last one: nothing new, nothing handed over, nothing logged.
    after = f"?after={notes[-1]['id']}"
    assert poll(gateway, vo, after).json()["items"] == []
    assert len(entries(gateway)) == 1
    third = push(gateway, po, vo).json()
    (note,) = poll(gateway, vo, after).json()["items"]
    assert note["data"]["transfer_id"] == third["id"]
    assert [e.object_id for e in entries(gateway)][1:] == [note["id"]]


def test_a_poll_about_no_one_pupil_names_none(gateway: Gateway) -> None:
    """A verwijsindex match never names the child; with it, the entry names no pupil."""
    school = reporter(gateway, "school_vo")
    wijkteam = reporter(gateway, "wijkteam")
    kid = child(gateway, school, 1, age=14)
    signalled(gateway, school, kid)
    signalled(gateway, wijkteam, kid, name="Joost de Wit")
    (note,) = poll(gateway, wijkteam).json()["items"]
    assert note["event"] == "signal.match"
    (entry,) = entries(gateway)
    assert (entry.org, entry.object_id, entry.subject_ref) == (wijkteam.id, note["id"], None)


def test_an_empty_or_refused_poll_writes_nothing(gateway: Gateway) -> None:
    po, vo = schools(gateway)
    assert poll(gateway, vo).json()["items"] == []
    pushed = push(gateway, po, vo).json()
    assert pushed["status"] == "available"
    (note,) = poll(gateway, vo).json()["items"]
    before = len(entries(gateway))
    # Another organisation's notification as `after`: 404, the answer for an unknown id.
    assert poll(gateway, po, f"?after={note['id']}").status_code == 404
    assert len(entries(gateway)) == before == 1


def test_no_notification_is_handed_over_without_its_entry(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    po, vo = schools(gateway)
    assert push(gateway, po, vo).status_code == 201
    real = audit.append

    def failing(session, event, *, now):  # type: ignore[no-untyped-def]
        if event.action == "notification.poll":
            raise RuntimeError("the disk is full")
        return real(session, event, now=now)

    monkeypatch.setattr("gateway.delivery.service.audit.append", failing)
    refused = poll(gateway, vo)
    assert refused.status_code == 500 and "transfer_id" not in refused.text
    monkeypatch.undo()
    assert len(poll(gateway, vo).json()["items"]) == 1
    assert len(entries(gateway)) == 1
