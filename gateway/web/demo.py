"""The portal's part of the demo region: families the dev IdP's demo accounts belong to.

`gateway serve --demo` starts the development IdP (deploy/dev-idp) and registers, once,
the gezag its demo parents hold, as the demo primary school would through
`POST /v1/subjects/gezag`: ouder1 is the parent of Sam (11), ouder2 of Noor (17), and
leerling16 is Noor herself. Sam is in groep 8: the demo secondary school registers his
aanmelding and the primary school pushes his overdracht dossier, which waits for the
parents' inzage in the portal. Development only; the CLI refuses `--demo` in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent import gezag
from consent import service as registry
from consent.schemas import GezagCreate
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.core.context import ActContext, Principal
from gateway.core.db import Database
from gateway.crypto.keyring import Keyring
from gateway.enrolments import service as enrolments
from gateway.enrolments.schemas import EnrolmentCreate
from gateway.subjects.schemas import SubjectIn
from gateway.transfers.acts import Edges
from gateway.transfers.models import Transfer
from gateway.transfers.push import push_json
from gateway.transfers.schemas import TransferCreate
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

    @property
    def pupil(self) -> dict[str, str]:
        return {
            "bsn": self.pupil_bsn,
            "birth_date": self.birth_date,
            "given_name": self.given_name,
            "family_name": self.family_name,
        }

    def gezag(self) -> GezagCreate:
        pupil = self.pupil
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


OVERSTAP = "overdracht.po_vo"
SAM_DOSSIER = {
    "school": {"naam": "OBS De Hien", "brin": "12AB"},
    "leerling": {"roepnaam": "Sam", "achternaam": "de Vries"},
    "oudersverzorgers": [{"relatie": "moeder", "naam": "Jolanda de Vries"}],
    "schoolloopbaan": [{"schooljaar": "2026-2027", "groep": 8}],
    "overstapadvies": {"advies": "havo/vwo", "toelichting": "Werkt zelfstandig en nauwkeurig."},
    "toetsresultaten": [{"toets": "doorstroomtoets", "rekenen": "1S", "lezen": "2F"}],
}


def ensure_waiting_dossier(
    db: Database, *, keyring: Keyring, catalog: Catalog, po_id: str, vo_id: str, now: datetime
) -> bool:
    """Sam's aanmelding at the VO school and his dossier from the PO school, once.

    Both go through the same services as `POST /v1/enrolments` and `POST /v1/transfers`:
    the catalog decides and every act is logged. Returns whether it was created now.
    """
    sam = FAMILIES[0]
    subject_ref = keyring.pseudonyms.subject_ref(sam.pupil_bsn)
    pushed = select(Transfer.id).where(
        Transfer.subject_ref == subject_ref,
        Transfer.sender_org_id == po_id,
        Transfer.purpose == OVERSTAP,
    )
    with db.sessions() as session, session.begin():
        if session.scalars(pushed.limit(1)).first() is not None:
            return False
        subject = SubjectIn.model_validate(sam.pupil)
        vo = _acting(vo_id, "school_vo", actor="demo-zorgcoordinator", role="zorgcoordinator")
        if not enrolments.active(session, org_id=vo_id, subject_ref=subject_ref, purpose=OVERSTAP):
            enrolments.register(
                session,
                body=EnrolmentCreate(subject=subject),
                ctx=vo,
                catalog=catalog,
                keyring=keyring,
                now=now,
            )
            session.flush()  # the push looks the aanmelding up with a Core statement
        body = TransferCreate(recipient=vo_id, subject=subject, dossier=SAM_DOSSIER)
        po = _acting(po_id, "school_po", actor="demo-ib", role="ib")
        push_json(session, body=body, ctx=po, edges=Edges(catalog, keyring, now))
    return True


def _acting(org_id: str, kind: str, *, actor: str, role: str) -> ActContext:
    principal = Principal(org_id, kind, "demo", frozenset())
    return ActContext(principal, OVERSTAP, actor, role, request_id="demo-setup")
