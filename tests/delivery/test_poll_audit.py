"""A poll that hands notifications over is on the audit log, in its own transaction: one
entry per poll naming the run of notifications and the pupil; an empty poll leaves none."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.orgs.scopes import default_scopes
from tests.delivery.helpers import bearer, push, schools
from tests.signals.helpers import child, reporter, signalled
from tests.support.gateway import Gateway, Org, audit_log
from tests.support.portal import CHILD, enrol


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


def test_an_empty_poll_writes_nothing(gateway: Gateway) -> None:
    po, vo = schools(gateway)
    assert poll(gateway, vo).json()["items"] == []
    assert entries(gateway) == []
    pushed = push(gateway, po, vo).json()
    assert pushed["status"] == "available"
    (note,) = poll(gateway, vo).json()["items"]
    assert poll(gateway, vo, f"?after={note['id']}").json()["items"] == []
    assert len(entries(gateway)) == 1


# What an organisation's privacy officer reads of an entry, less its place and time.
SEEN = ("action", "decision", "code", "rule", "purpose", "actor", "subject_ref", "object_id")


def test_an_after_not_ones_own_is_a_refusal_on_record_the_same_for_foreign_and_unknown(
    gateway: Gateway,
) -> None:
    """A stranger probing with another organisation's notification id gets what an id
    that never existed gets, and so does its own log, down to the entries' hashes: they
    name neither the id nor its owner, which the stranger could otherwise test against
    the hash it is shown. Neither entry names the pupil the notification concerns."""
    po = gateway.make_org("school_po", scopes=[*default_scopes("school_po"), "audit:read"])
    vo = gateway.make_org("school_vo", scopes=[*default_scopes("school_vo"), "audit:read"])
    enrol(gateway, vo, CHILD)
    stranger = gateway.make_org("school_vo", scopes=[*default_scopes("school_vo"), "audit:read"])
    assert push(gateway, po, vo).status_code == 201
    (note,) = poll(gateway, vo).json()["items"]

    foreign = poll(gateway, stranger, f"?after={note['id']}", actor="probe-1")
    unknown = poll(gateway, stranger, "?after=ntf_0000000000000000", actor="probe-1")
    assert foreign.status_code == unknown.status_code == 404
    assert {k: v for k, v in foreign.json().items() if k != "instance"} == {
        k: v for k, v in unknown.json().items() if k != "instance"
    }

    tries = [e for e in entries(gateway) if e.decision == "deny"]
    assert [(e.org, e.actor, e.code, e.subject_ref) for e in tries] == [
        (stranger.id, "probe-1", "not_found", None),
        (stranger.id, "probe-1", "not_found", None),
    ]
    # Nothing stored that the stranger is not shown: the hash it sees covers only that.
    assert [(e.object_id, e.owner) for e in tries] == [(None, None), (None, None)]

    # The stranger's own log: two tries alike, on nothing it was not told of.
    own = [e for e in audit_log(gateway, stranger) if e["action"] == "notification.poll"]
    assert [e["owner"] for e in own] == [None, None]
    unknown_seen, foreign_seen = ({k: e[k] for k in SEEN} for e in own)
    assert unknown_seen == foreign_seen
    assert own[0]["object_id"] is None and own[0]["subject_ref"] is None
    # The owner's log: nothing of the stranger's try.
    assert not [e for e in audit_log(gateway, vo) if e["org"] == stranger.id]
    # Nothing was handed over to the stranger.
    assert [e.org for e in entries(gateway) if e.decision == "permit"] == [vo.id]


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
