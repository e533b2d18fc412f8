"""The portal's part of the demo region: families the dev IdP's demo accounts belong to.

`gateway serve --demo` starts the development IdP (deploy/dev-idp) and registers, once,
the gezag its demo parents hold, as the demo primary school would through
`POST /v1/subjects/gezag`: ouder1 is the parent of Sam (11), ouder2 of Noor (17), and
leerling16 is Noor herself. Development only; the CLI refuses `--demo` in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from consent import gezag
from consent import service as registry
from consent.schemas import GezagCreate
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.core.db import Database
from gateway.crypto.keyring import Keyring
from policies.catalog import Catalog

PURPOSE = "jeugdhulp.verwijzing"


@dataclass(frozen=True, slots=True)
class Family:
    pupil_bsn: str
    birth_date: str
    given_name: str
    family_name: str
    parent_bsn: str
    parent_name: str

    def gezag(self) -> GezagCreate:
        pupil = {
            "bsn": self.pupil_bsn,
            "birth_date": self.birth_date,
            "given_name": self.given_name,
            "family_name": self.family_name,
        }
        person = {"bsn": self.parent_bsn, "name": self.parent_name, "role": "parent"}
        return GezagCreate.model_validate({"subject": pupil, "person": person, "gezag": True})


FAMILIES = (
    Family("111222333", "2015-05-01", "Sam", "de Vries", "999990019", "Jolanda de Vries"),
    Family("999990044", "2009-03-01", "Noor", "Jansen", "999990032", "Karim El Amrani"),
)


def ensure_families(
    db: Database, *, keyring: Keyring, catalog: Catalog, school_id: str, now: datetime
) -> int:
    """Registers the demo families' gezag where it is not on record yet; returns how many."""
    added = 0
    with db.sessions() as session, session.begin():
        for family in FAMILIES:
            subject_ref = keyring.pseudonyms.subject_ref(family.pupil_bsn)
            person_ref = keyring.pseudonyms.subject_ref(family.parent_bsn)
            if gezag.holds_gezag(session, subject_ref=subject_ref, person_ref=person_ref):
                continue
            _register(
                session, family, keyring=keyring, catalog=catalog, school_id=school_id, now=now
            )
            added += 1
    return added


def _register(
    session: Session,
    family: Family,
    *,
    keyring: Keyring,
    catalog: Catalog,
    school_id: str,
    now: datetime,
) -> None:
    """As the school's `POST /v1/subjects/gezag` does: the relation and its log line."""
    relation = gezag.register(
        session, body=family.gezag(), org_id=school_id, keyring=keyring, now=now
    )
    decision = registry.registry_decision(
        catalog, purpose=PURPOSE, act="gezag", reason="The demo school records gezag."
    )
    event = AuditEvent(
        org=school_id,
        actor="demo-admin",
        actor_role="directeur",
        purpose=PURPOSE,
        action="consent.gezag",
        decision=decision,
        subject_ref=relation.subject_ref,
        object_id=relation.id,
    )
    audit.append(session, event, now=now)
