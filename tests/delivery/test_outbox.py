"""The outbox: a notification exists exactly when its act does, and says no more than ids
and the recipient's own pseudonym."""

from __future__ import annotations

import json

import pytest

from gateway.audit import service as audit
from tests.delivery.helpers import counts, hook, polled, push, schools
from tests.signals.helpers import child, matches, reporter, signalled
from tests.support.consent import REFERRAL, consent_body, granted
from tests.support.gateway import Gateway
from tests.support.portal import CHILD, OVERSTAP


def no_personal_data(text: str) -> None:
    for value in (CHILD["bsn"], CHILD["given_name"], CHILD["family_name"], "havo/vwo"):
        assert value not in text


def test_a_dossier_available_to_its_recipient_is_one_notification(gateway: Gateway) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, "https://zorg.example/hook")
    pushed = push(gateway, po, vo)
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["status"] == "available"
    (note,) = polled(gateway, vo)
    assert note["event"] == "transfer.available"
    read = gateway.client.get(
        f"/v1/transfers/{pushed.json()['id']}", headers=vo.headers(purpose=OVERSTAP)
    )
    # The recipient's own pseudonym (what its reads show), never the sender's.
    assert note["data"] == {
        "transfer_id": pushed.json()["id"],
        "sender": po.id,
        "purpose": OVERSTAP,
        "subject_ref": read.json()["subject_ref"],
    }
    assert note["data"]["subject_ref"] != pushed.json()["subject_ref"]
    no_personal_data(json.dumps(note))
    assert polled(gateway, po) == []  # the sender is told nothing
    assert counts(gateway) == (1, 1)  # one notification, one delivery for the one webhook


def test_a_dossier_waiting_for_inzage_is_announced_when_it_becomes_available(
    gateway: Gateway,
) -> None:
    po, vo = schools(gateway)
    pushed = push(gateway, po, vo, inzage=False)
    assert pushed.json()["status"] == "awaiting_inzage"
    assert polled(gateway, vo) == []
    url = f"/v1/transfers/{pushed.json()['id']}/inzage"
    headers = po.headers(purpose=OVERSTAP, actor="ib-1")
    body = {"date": "2016-04-14", "akkoord": True}
    assert gateway.client.post(url, json=body, headers=headers).status_code == 200
    assert [n["event"] for n in polled(gateway, vo)] == ["transfer.available"]
    # Inzage recorded again: the dossier was available already, nothing new to tell.
    assert gateway.client.post(url, json=body, headers=headers).status_code == 200
    assert len(polled(gateway, vo)) == 1


def test_a_refused_push_leaves_no_notification(gateway: Gateway) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, "https://zorg.example/hook")
    refused = push(gateway, po, vo, dossier={"medisch": {"diagnose": "x"}})
    assert refused.status_code in (403, 422), refused.text
    assert counts(gateway) == (0, 0)


def test_an_act_rolled_back_after_its_notification_takes_the_notification_along(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit entry is the act's last write, after the outbox row: failing there, the
    whole transaction goes, notification and delivery included."""
    po, vo = schools(gateway)
    hook(gateway, vo, "https://zorg.example/hook")
    real = audit.append

    def failing(session, event, *, now):  # type: ignore[no-untyped-def]
        if event.action == "transfer.send":
            raise RuntimeError("the disk is full")
        return real(session, event, now=now)

    monkeypatch.setattr("gateway.transfers.push.audit.append", failing)
    assert push(gateway, po, vo).status_code == 500
    assert counts(gateway) == (0, 0)
    monkeypatch.undo()
    assert push(gateway, po, vo).status_code == 201
    assert counts(gateway) == (1, 1)


def test_a_withdrawal_tells_each_recipient_by_its_own_pseudonym(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    wijkteam = gateway.make_org("wijkteam")
    jeugdhulp = gateway.make_org("jeugdhulp")
    created = granted(gateway, school, consent_body([wijkteam.id, jeugdhulp.id]))
    assert polled(gateway, wijkteam) == []
    withdrawn = gateway.client.post(
        f"/v1/consents/{created['id']}/withdraw", headers=school.headers(REFERRAL, actor="ib-2")
    )
    assert withdrawn.status_code == 200, withdrawn.text
    refs = set()
    internal = gateway.internal_ref(school, created["subject_ref"])
    for org in (wijkteam, jeugdhulp):
        (note,) = polled(gateway, org)
        assert note["event"] == "consent.withdrawn"
        assert note["data"]["consent_id"] == created["id"]
        assert gateway.internal_ref(org, note["data"]["subject_ref"]) == internal
        refs.add(note["data"]["subject_ref"])
        no_personal_data(json.dumps(note))
    assert len(refs) == 2  # no joining across organisations
    assert polled(gateway, school) == []
    # Withdrawing again is refused (409): nothing more is told.
    again = gateway.client.post(
        f"/v1/consents/{created['id']}/withdraw", headers=school.headers(REFERRAL, actor="ib-2")
    )
    assert again.status_code == 409
    assert len(polled(gateway, wijkteam)) == 1


def test_a_verwijsindex_match_tells_both_sides_their_own_signal(gateway: Gateway) -> None:
    school = reporter(gateway, "school_vo")
    wijkteam = reporter(gateway, "wijkteam")
    kid = child(gateway, school, 1, age=14)
    first = signalled(gateway, school, kid)["id"]
    second = signalled(gateway, wijkteam, kid, name="Joost de Wit")["id"]
    (match,) = matches(gateway, school)
    match_id = match["id"]
    for org, own in ((school, first), (wijkteam, second)):
        (note,) = polled(gateway, org)
        assert note["event"] == "signal.match"
        assert note["data"] == {"match_id": match_id, "signal_id": own}
        assert kid not in json.dumps(note)
