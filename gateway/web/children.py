"""Whose data a logged-in person may see, and what the rules let them do with it.

A parent sees the pupils over whom the school registered their gezag; a pupil sees
their own record from 16, and from 12 the consents their own consent is asked for
(youth care and the knooppunt: parents and child, Jeugdwet art. 7.3.4). A parent
the school registered without gezag sees that the child is known here and where to ask
for information (BW 1:377c), and nothing of the child's data: no dossier, consent or
access log, and no act. From 18 a pupil is shown to nobody but themself. What each
may do follows the catalog's rule for data-subject rights (`rechten.inzage`: under 16
a parent with gezag, from 16 the pupil): it is read from the catalog, not written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent import gezag
from consent.models import SEALING_PURPOSE, GezagRelation
from gateway.core.errors import NotFound
from gateway.crypto.keyring import Keyring
from gateway.orgs.models import Organisation
from gateway.subjects import service as subjects
from gateway.subjects.schemas import SubjectIn
from gateway.web.wording import AMSTERDAM, mask_bsn
from policies.catalog import Catalog

RIGHTS_PURPOSE = "rechten.inzage"
WITHOUT_GEZAG = "parent_without_gezag"


@dataclass(frozen=True, slots=True)
class Child:
    """A pupil as the portal shows them to one viewer."""

    subject_ref: str
    name: str
    masked_bsn: str
    birth_date: date
    age: int
    # "parent" or "guardian" (gezag on record), "parent_without_gezag" (information
    # right only, which the catalog grants no requester role), or "pupil" (their own).
    relation: str
    # May this viewer exercise the rights (inzage, zienswijze, consent, access log)?
    may_act: bool
    # The viewer's name as the school registered it (a parent), for consent records.
    viewer_name: str
    # The pupil themself, at an age where the catalog asks the pupil's own consent next
    # to the parents' on some flow (youth care, the knooppunt: from 12): they may add it.
    may_cosign: bool = False

    @property
    def keeps_okr_inzage(self) -> bool:
        """A parent with gezag keeps inzage of the onderwijskundig rapport until the
        pupil is 18 (WPO art. 42), also where the pupil decides the rest from 16; the
        catalog's `inzage_rule` of each dossier's flow decides each read."""
        return self.relation in ("parent", "guardian")

    @property
    def is_self(self) -> bool:
        return self.relation == "pupil"

    @property
    def grantor_role(self) -> str:
        return self.relation


def not_entitled_because(kid: Child) -> str:
    """Why this viewer may not exercise a right for this child, as the code its page
    explains: no gezag on record, or a pupil from 16 who exercises it alone."""
    if kid.relation == WITHOUT_GEZAG:
        return "no_gezag"
    if not kid.is_self:
        return "pupil_decides"
    return "requester_not_entitled"


def overview_title(kids: list[Child]) -> str:
    """The overview's heading: "Mijn gegevens" for a pupil on their own page, "Mijn
    kinderen" for a parent."""
    own = any(kid.is_self for kid in kids)
    others = any(not kid.is_self for kid in kids)
    if own and others:
        return "Mijn gegevens en mijn kinderen"
    return "Mijn gegevens" if own else "Mijn kinderen"


def today(now: datetime) -> date:
    return now.astimezone(AMSTERDAM).date()


def may_act(catalog: Catalog, *, relation: str, age: int) -> bool:
    if relation == WITHOUT_GEZAG:
        return False
    flow = catalog.flow_for_purpose(RIGHTS_PURPOSE)
    rule = flow.requester_rule if flow else None
    if rule is None:
        return False
    parents, pupil = rule.at(age)
    return pupil if relation == "pupil" else parents


def children(
    session: Session, *, person_ref: str, keyring: Keyring, catalog: Catalog, now: datetime
) -> list[Child]:
    """Everyone whose page this person may open: their own (from 16) and their children."""
    found = []
    own = _child(session, person_ref, "pupil", "", keyring=keyring, catalog=catalog, now=now)
    if own is not None and (own.may_act or own.may_cosign):
        found.append(own)
    with_gezag = gezag.children_of(session, person_ref=person_ref, now=now)
    without = gezag.informed_of(session, person_ref=person_ref, now=now)
    related = [(r, r.role) for r in with_gezag] + [(r, WITHOUT_GEZAG) for r in without]
    for relation, role in related:
        name = _registered_name(session, relation.id, relation.subject_ref, keyring)
        child = _child(
            session,
            relation.subject_ref,
            role,
            name,
            keyring=keyring,
            catalog=catalog,
            now=now,
        )
        if child is not None and child.age < gezag.AGE_OF_MAJORITY:
            found.append(child)
    return found


def child(
    session: Session,
    *,
    person_ref: str,
    subject_ref: str,
    keyring: Keyring,
    catalog: Catalog,
    now: datetime,
) -> Child:
    """One pupil, re-checked on every page: gezag ended a minute ago counts."""
    for candidate in children(
        session, person_ref=person_ref, keyring=keyring, catalog=catalog, now=now
    ):
        if candidate.subject_ref == subject_ref:
            return candidate
    raise NotFound("No such child for this person.")


def _child(
    session: Session,
    subject_ref: str,
    relation: str,
    viewer_name: str,
    *,
    keyring: Keyring,
    catalog: Catalog,
    now: datetime,
) -> Child | None:
    identity = subjects.identity(session, subject_ref, keyring=keyring)
    if identity is None:
        return None
    age = identity.age_on(today(now))
    return Child(
        subject_ref=subject_ref,
        name=display_name(identity),
        masked_bsn=mask_bsn(identity.bsn),
        birth_date=identity.birth_date,
        age=age,
        relation=relation,
        may_act=may_act(catalog, relation=relation, age=age),
        viewer_name=viewer_name or display_name(identity),
        may_cosign=relation == "pupil" and pupil_consents(catalog, age=age),
    )


def pupil_consents(catalog: Catalog, *, age: int) -> bool:
    """Does the age rule of any consent-based flow ask the pupil's own consent at `age`?"""
    return any(
        flow.consent.age_rule.at(age)[1]
        for flow in catalog.flows.values()
        if flow.enabled and flow.consent is not None
    )


@dataclass(frozen=True, slots=True)
class GezagLine:
    """One registration of gezag, as a parent reads it: who, by which school, since when."""

    who: str
    has_gezag: bool
    school: str
    since: datetime
    ended_at: datetime | None


def gezag_changes(session: Session, *, kid: Child, viewer_ref: str) -> list[GezagLine]:
    """Every change of gezag over the child, so the parents see each one (DOMAIN §7).

    Other people are named by their role only: the school keeps their names."""
    changes = gezag.history(session, subject_ref=kid.subject_ref)
    ids = {change.registered_by for change in changes}
    names = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
        ).all()
    )
    return [
        GezagLine(
            who="U" if change.person_ref == viewer_ref else _someone(change.role),
            has_gezag=change.has_gezag,
            school=names.get(change.registered_by, "de school"),
            since=change.since,
            ended_at=change.ended_at,
        )
        for change in changes
    ]


def _someone(role: str) -> str:
    return "Een voogd" if role == "guardian" else "Een ouder"


def display_name(identity: SubjectIn) -> str:
    parts = [p for p in (identity.given_name, identity.family_name) if p]
    return " ".join(parts) if parts else "Uw kind"


def _registered_name(session: Session, relation_id: str, subject_ref: str, keyring: Keyring) -> str:
    sealed = session.scalars(
        select(GezagRelation.name).where(GezagRelation.id == relation_id)
    ).first()
    if sealed is None:
        return ""
    return keyring.envelope.open(
        session, record_id=relation_id, purpose=SEALING_PURPOSE, ciphertext=sealed
    ).decode()
