"""Signals and matches: who else is involved with a child, and nothing more."""

from __future__ import annotations

from tests.signals.helpers import (
    MATCH,
    assert_no_content,
    bsn,
    child,
    headers,
    matches,
    reporter,
    signal,
    signalled,
)
from tests.support.gateway import Gateway, audit_log


def test_a_second_organisation_on_the_same_child_makes_a_match_for_both(gateway: Gateway) -> None:
    school = reporter(gateway, "school_vo")
    wijkteam = reporter(gateway, "wijkteam")
    kid = child(gateway, school, 1, age=14)
    first = signal(gateway, school, kid, name="Ilse Bakker")
    assert first.status_code == 201, first.text
    assert first.json()["matches"] == []
    assert_no_content(first, kid)
    second = signal(gateway, wijkteam, kid, name="Joost de Wit", actor="jp-7")
    assert second.status_code == 201, second.text
    assert_no_content(second, kid)
    (found,) = second.json()["matches"]
    assert found["signal_id"] == first.json()["id"]
    assert found["org"] == school.id
    assert found["contact"]["name"] == "Ilse Bakker"
    assert set(found) == {"signal_id", "org", "contact", "since"}
    # The school, which registered first, sees the wijkteam in its matches.
    (theirs,) = matches(gateway, school)
    assert theirs["signal_id"] == first.json()["id"]
    assert theirs["other"]["org"] == wijkteam.id
    assert theirs["other"]["contact"]["name"] == "Joost de Wit"
    assert theirs["kind"] == "child" and theirs["regie"] is None
    (ours,) = matches(gateway, wijkteam)
    assert ours["id"] == theirs["id"] and ours["other"]["org"] == school.id
    # Both organisations are notified.
    for org, own in ((school, first.json()["id"]), (wijkteam, second.json()["id"])):
        notes = gateway.client.get("/v1/signals/notifications", headers=headers(org, MATCH))
        assert notes.status_code == 200
        assert_no_content(notes, kid)
        assert [(n["kind"], n["signal_id"], n["match_id"]) for n in notes.json()["items"]] == [
            ("match", own, ours["id"])
        ]


def test_both_sides_log_the_match_under_one_transaction_id(gateway: Gateway) -> None:
    school = reporter(gateway, "school_vo")
    jgz = reporter(gateway, "jgz")
    kid = child(gateway, school, 2, age=9)
    signalled(gateway, school, kid)
    signalled(gateway, jgz, kid, actor="arts-3")
    (match,) = matches(gateway, jgz)
    ours = [e for e in audit_log(gateway, jgz) if e["action"] == "signal.match"]
    theirs = [e for e in audit_log(gateway, school) if e["action"] == "signal.match"]
    assert [e["object_id"] for e in ours] == [match["id"]]
    assert [e["object_id"] for e in theirs] == [match["id"]]
    assert ours[0]["request_id"] == theirs[0]["request_id"]
    assert (ours[0]["org"], ours[0]["actor"]) == (jgz.id, "arts-3")
    assert (theirs[0]["org"], theirs[0]["actor"]) == (school.id, None)
    assert ours[0]["purpose"] == theirs[0]["purpose"] == MATCH
    assert ours[0]["decision"] == theirs[0]["decision"] == "permit"
    assert ours[0]["categories"] == ["signaal"]


def test_the_household_match_finds_a_sibling_by_a_shared_parent(gateway: Gateway) -> None:
    school = reporter(gateway, "school_po")
    smw = reporter(gateway, "smw")
    older, younger = child(gateway, school, 3, age=11), child(gateway, school, 4, age=8)
    mother, father, stranger = bsn(90), bsn(91), bsn(92)
    first = signalled(gateway, school, older, household=[mother, father])
    unrelated = child(gateway, school, 5, age=8)
    assert signalled(gateway, smw, unrelated, household=[stranger])["matches"] == []
    second = signal(gateway, smw, younger, household=[father])
    assert second.status_code == 201
    assert_no_content(second, younger, older, mother, father)
    (found,) = second.json()["matches"]
    assert found["signal_id"] == first["id"]
    (listed,) = [m for m in matches(gateway, school) if m["other"]["org"] == smw.id]
    assert listed["kind"] == "household"


def test_the_same_organisation_makes_no_match_and_registers_a_child_once(
    gateway: Gateway,
) -> None:
    school = reporter(gateway, "school_vo")
    kid = child(gateway, school, 6, age=15)
    signalled(gateway, school, kid)
    again = signal(gateway, school, kid, actor="prof-2")
    assert again.status_code == 409
    assert again.json()["code"] == "signal_exists"
    assert_no_content(again, kid)
    assert matches(gateway, school) == []


def test_the_index_holds_no_bsn_and_seals_the_contact(gateway: Gateway) -> None:
    school = reporter(gateway, "school_vo")
    kid = child(gateway, school, 7, age=13)
    mother = bsn(93)
    made = signalled(gateway, school, kid, household=[mother], name="Ilse Bakker")
    from gateway.signals.models import Signal, SignalParent

    with gateway.services.db.sessions() as session:
        row = session.get(Signal, made["id"])
        assert row is not None
        parents = session.query(SignalParent).all()
        stored = repr([row.__dict__, [p.__dict__ for p in parents]])
    assert kid not in stored and mother not in stored
    assert b"Ilse" not in row.contact and b"example.org" not in row.contact
    # The index key is not the subject_ref key: its pseudonym is no subject_ref.
    assert row.child_key != gateway.keyring.pseudonyms.subject_ref(kid)
    assert row.child_key == gateway.keyring.index.child(kid)
    assert [p.parent_key for p in parents] == [gateway.keyring.index.parent(mother)]
