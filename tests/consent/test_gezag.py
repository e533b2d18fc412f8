"""Gezag on record: who may consent for a pupil, and whose children a parent sees."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consent import gezag
from consent.models import GezagRelation
from tests.support.consent import (
    FATHER_BSN,
    MOTHER_BSN,
    OTHER_BSN,
    parent,
    post_gezag,
    pupil_aged,
    refresh,
    register_gezag,
)
from tests.support.gateway import Gateway


def test_the_school_registers_gezag_and_the_portal_finds_the_children(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    first, second = pupil_aged(10), pupil_aged(7, bsn=OTHER_BSN)
    mother, father = parent(bsn=MOTHER_BSN), parent("Bram de Vries", bsn=FATHER_BSN)

    registered = register_gezag(gateway, school, first, mother, has=True)
    assert registered.status_code == 201, registered.text
    relation = registered.json()
    assert (relation["role"], relation["gezag"]) == ("parent", True)
    assert register_gezag(gateway, school, second, mother, has=True).status_code == 201
    assert register_gezag(gateway, school, first, father, has=False).status_code == 201

    ref = gateway.keyring.pseudonyms.subject_ref
    with gateway.services.db.sessions() as session:
        children = gezag.children_of(session, person_ref=ref(MOTHER_BSN), now=gateway.clock.now())
        assert {c.subject_ref for c in children} == {ref(first["bsn"]), ref(second["bsn"])}
        assert {(c.role, c.registered_by) for c in children} == {("parent", school.id)}
        assert gezag.children_of(session, person_ref=ref(FATHER_BSN), now=gateway.clock.now()) == []
        assert gezag.holds_gezag(session, subject_ref=ref(first["bsn"]), person_ref=ref(MOTHER_BSN))
        assert not gezag.holds_gezag(
            session, subject_ref=ref(first["bsn"]), person_ref=ref(FATHER_BSN)
        )


def test_a_new_registration_ends_the_old_one_and_keeps_it(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    pupil, mother = pupil_aged(10), parent(bsn=MOTHER_BSN)
    assert register_gezag(gateway, school, pupil, mother, has=True).status_code == 201
    gateway.clock.advance(timedelta(days=30))
    refresh(gateway, school)
    assert register_gezag(gateway, school, pupil, mother, has=False).status_code == 201

    ref = gateway.keyring.pseudonyms.subject_ref
    with gateway.services.db.sessions() as session:
        assert not gezag.holds_gezag(
            session, subject_ref=ref(pupil["bsn"]), person_ref=ref(MOTHER_BSN)
        )
        assert gezag.children_of(session, person_ref=ref(MOTHER_BSN), now=gateway.clock.now()) == []
        rows = session.scalars(select(GezagRelation).order_by(GezagRelation.created_at)).all()
    assert [(r.has_gezag, r.ended_at) for r in rows] == [
        (True, gateway.clock.now()),
        (False, None),
    ]


def test_gezag_needs_valid_bsns_and_another_person_than_the_pupil(gateway: Gateway) -> None:
    school = gateway.make_org("school_po")
    pupil = pupil_aged(10)
    invalid = register_gezag(gateway, school, pupil, parent(bsn="123456789"), has=True)
    assert (invalid.status_code, invalid.json()["code"]) == (422, "invalid_bsn")
    itself = register_gezag(gateway, school, pupil, parent(bsn=pupil["bsn"]), has=True)
    assert (itself.status_code, itself.json()["code"]) == (422, "invalid_gezag")
    scopeless = gateway.make_org("school_po", scopes=["transfers:read"])
    refused = post_gezag(gateway, scopeless, pupil, parent(bsn=MOTHER_BSN), has=True)
    assert (refused.status_code, refused.json()["code"]) == (403, "insufficient_scope")
