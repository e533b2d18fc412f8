"""Gezag (parental authority): only a parent or guardian with gezag can consent.

The school registers who holds gezag over a pupil, and who does not (a parent without
gezag keeps a right to information but has no consent right, DOMAIN §2). A parent is
known by the keyed pseudonym of their BSN, so a DigiD login can be matched on it.
Once a pupil has gezag on record, that record is the authority: a parent grantor must be
identified by BSN and hold gezag there. Gezag ends when the pupil comes of age (BW 1:233
and 1:245), and with it the information right of a parent without gezag (BW 1:377c):
from 18 the portal shows a pupil to nobody but the pupil.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consent.models import SEALING_PURPOSE, GezagRelation
from consent.schemas import GezagCreate
from gateway.core.errors import Unprocessable
from gateway.crypto.keyring import Keyring

AGE_OF_MAJORITY = 18


@dataclass(frozen=True, slots=True)
class Relation:
    """A pupil over whom a person holds gezag, as the portal lists them."""

    id: str
    subject_ref: str
    role: str
    since: datetime
    registered_by: str


def register(
    session: Session,
    *,
    body: GezagCreate,
    subject_ref: str,
    org_id: str,
    keyring: Keyring,
    now: datetime,
) -> GezagRelation:
    """Records gezag (or its absence); a new record for the same person ends the old one.

    The caller has established that `org_id` is authoritative for this pupil (the
    school where the pupil is enrolled) and resolved `subject_ref` against the record.
    """
    person_ref = keyring.pseudonyms.subject_ref(body.person.bsn)
    if person_ref == subject_ref:
        raise Unprocessable("A pupil cannot hold gezag over themselves.", code="invalid_gezag")
    earlier = select(GezagRelation).where(
        GezagRelation.subject_ref == subject_ref,
        GezagRelation.person_ref == person_ref,
        GezagRelation.ended_at.is_(None),
    )
    for relation in session.scalars(earlier.with_for_update()):
        relation.ended_at = now
    relation_id = "gzg_" + secrets.token_hex(10)
    relation = GezagRelation(
        id=relation_id,
        subject_ref=subject_ref,
        person_ref=person_ref,
        name=keyring.envelope.seal(
            session,
            subject_ref=subject_ref,
            purpose=SEALING_PURPOSE,
            record_id=relation_id,
            plaintext=body.person.name.encode(),
            now=now,
        ),
        role=body.person.role,
        has_gezag=body.gezag,
        registered_by_org=org_id,
        created_at=now,
        ended_at=None,
    )
    session.add(relation)
    return relation


@dataclass(frozen=True, slots=True)
class Change:
    """One registration of gezag over a pupil, as the parents see it in the portal."""

    person_ref: str
    role: str
    has_gezag: bool
    registered_by: str
    since: datetime
    ended_at: datetime | None


def history(session: Session, *, subject_ref: str) -> list[Change]:
    """Every registration of gezag over the pupil, newest first, ended ones included."""
    query = (
        select(GezagRelation)
        .where(GezagRelation.subject_ref == subject_ref)
        .order_by(GezagRelation.created_at.desc(), GezagRelation.id.desc())
    )
    return [
        Change(r.person_ref, r.role, r.has_gezag, r.registered_by_org, r.created_at, r.ended_at)
        for r in session.scalars(query)
    ]


def registered_by(session: Session, *, subject_ref: str) -> set[str]:
    """The schools whose registrations of gezag over the pupil are in force."""
    query = select(GezagRelation.registered_by_org).where(
        GezagRelation.subject_ref == subject_ref, GezagRelation.ended_at.is_(None)
    )
    return set(session.scalars(query))


def holds_gezag(session: Session, *, subject_ref: str, person_ref: str) -> bool:
    query = select(GezagRelation.id).where(
        GezagRelation.subject_ref == subject_ref,
        GezagRelation.person_ref == person_ref,
        GezagRelation.has_gezag.is_(True),
        GezagRelation.ended_at.is_(None),
    )
    return session.scalars(query.limit(1)).first() is not None


def holders(session: Session, *, subject_ref: str) -> int:
    """How many people hold gezag over the pupil on record: 1 for sole gezag (one parent,
    or a voogd alone), 2 for joint gezag; what "both parents" means for a consent."""
    return holding(session, subject_ref=subject_ref).count


@dataclass(frozen=True, slots=True)
class Holders:
    """The gezag on record over a pupil, as a consent's "both parents" counts it."""

    count: int
    # When the newest registration among them was made: the count has stood since then.
    since: datetime | None


def holding(session: Session, *, subject_ref: str) -> Holders:
    query = select(
        func.count(func.distinct(GezagRelation.person_ref)), func.max(GezagRelation.created_at)
    ).where(
        GezagRelation.subject_ref == subject_ref,
        GezagRelation.has_gezag.is_(True),
        GezagRelation.ended_at.is_(None),
    )
    count, since = session.execute(query).one()
    return Holders(int(count or 0), since)


def children_of(session: Session, *, person_ref: str, now: datetime) -> list[Relation]:
    """The pupils over whom this person holds gezag at `now`, oldest relation first."""
    return _relations(session, person_ref=person_ref, now=now, has_gezag=True)


def informed_of(session: Session, *, person_ref: str, now: datetime) -> list[Relation]:
    """The pupils of whom the school registered this parent as one without gezag."""
    return _relations(session, person_ref=person_ref, now=now, has_gezag=False)


def _relations(
    session: Session, *, person_ref: str, now: datetime, has_gezag: bool
) -> list[Relation]:
    query = (
        select(GezagRelation)
        .where(
            GezagRelation.person_ref == person_ref,
            GezagRelation.has_gezag.is_(has_gezag),
            GezagRelation.ended_at.is_(None),
            GezagRelation.created_at <= now,
        )
        .order_by(GezagRelation.created_at, GezagRelation.id)
    )
    return [
        Relation(
            id=row.id,
            subject_ref=row.subject_ref,
            role=row.role,
            since=row.created_at,
            registered_by=row.registered_by_org,
        )
        for row in session.scalars(query)
    ]
