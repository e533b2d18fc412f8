"""The portal's part of the demo region: families the dev IdP's demo accounts belong to.

`gateway serve --demo` starts the development IdP (deploy/dev-idp) and registers, once,
what the demo schools' leerlingadministratie holds, through the same services as
`POST /v1/enrolments` (X-Purpose `leerling.inschrijving`) and `POST /v1/subjects/gezag`:
Sam (11) is enrolled at the primary school and ouder1 holds gezag over him; Noor (17)
is enrolled at the secondary school, ouder2 holds gezag over her, and leerling16 is Noor
herself. Sam is in groep 8: the demo secondary school registers his aanmelding and the
primary school pushes his overdracht dossier, which waits for the parents' inzage in the
portal. fg1 is the privacy officer of the demo secondary school, registered as
`gateway orgs officer add` registers one. Development only; the CLI refuses `--demo` in
production.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from consent import gezag
from consent.schemas import GezagCreate
from gateway.catalog.enforce import REGISTRATION_PURPOSE
from gateway.core.context import ActContext, Principal
from gateway.core.db import Database
from gateway.edges import Edges
from gateway.enrolments import service as enrolments
from gateway.enrolments.schemas import EnrolmentCreate
from gateway.orgs import officers
from gateway.registry import service as registry
from gateway.subjects.schemas import SubjectIn
from gateway.transfers.models import Transfer
from gateway.transfers.push import push_json
from gateway.transfers.schemas import TransferCreate


@dataclass(frozen=True, slots=True)
class Family:
    pupil_bsn: str
    birth_date: str
    given_name: str
    family_name: str
    parent_bsn: str
    parent_name: str
    # The kind of the demo school where the pupil is enrolled.
    school_kind: str

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
    Family(
        "111222333", "2015-05-01", "Sam", "de Vries", "999990019", "Jolanda de Vries", "school_po"
    ),
    Family(
        "999990044", "2009-03-01", "Noor", "Jansen", "999990032", "Karim El Amrani", "school_vo"
    ),
)


def ensure_families(db: Database, *, edges: Edges, schools: dict[str, str]) -> int:
    """Enrols the demo pupils and registers their parents' gezag where it is not on
    record yet, as the school would over the API; returns how many families were added.
    `schools` maps a school kind to the demo school of that kind."""
    added = 0
    keyring = edges.keyring
    with db.sessions() as session, session.begin():
        for family in FAMILIES:
            subject_ref = keyring.pseudonyms.subject_ref(family.pupil_bsn)
            person_ref = keyring.pseudonyms.subject_ref(family.parent_bsn)
            if gezag.holds_gezag(session, subject_ref=subject_ref, person_ref=person_ref):
                continue
            school = _acting(
                schools[family.school_kind],
                family.school_kind,
                purpose=REGISTRATION_PURPOSE,
                actor="demo-admin",
                role="directeur",
            )
            subject = SubjectIn.model_validate(family.pupil)
            if not enrolments.active(
                session, org_id=school.org_id, subject_ref=subject_ref, purpose=REGISTRATION_PURPOSE
            ):
                body = EnrolmentCreate(subject=subject, status="ingeschreven")
                enrolments.register(session, body=body, ctx=school, edges=edges)
                session.flush()  # the authority looks the enrolment up with a Core statement
            registry.register_gezag(session, body=family.gezag(), ctx=school, edges=edges)
            added += 1
    return added


OVERSTAP = "overdracht.po_vo"
SAM_DOSSIER = {
    "school": {"naam": "OBS De Hien", "brin": "12AB"},
    "leerling": {"roepnaam": "Sam", "achternaam": "de Vries"},
    "oudersverzorgers": [{"relatie": "moeder", "naam": "Jolanda de Vries"}],
    "schoolloopbaan": [{"schooljaar": "2026-2027", "groep": 8}],
    "overstapadvies": {"advies": "havo/vwo", "toelichting": "Werkt zelfstandig en nauwkeurig."},
    "toetsresultaten": [{"toets": "doorstroomtoets", "rekenen": "1S", "lezen": "2F"}],
}


def ensure_waiting_dossier(db: Database, *, edges: Edges, po_id: str, vo_id: str) -> bool:
    """Sam's aanmelding at the VO school and his dossier from the PO school, once.

    Both go through the same services as `POST /v1/enrolments` and `POST /v1/transfers`:
    the catalog decides and every act is logged. Returns whether it was created now.
    """
    sam = FAMILIES[0]
    keyring = edges.keyring
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
        vo = _acting(
            vo_id,
            "school_vo",
            purpose=OVERSTAP,
            actor="demo-zorgcoordinator",
            role="zorgcoordinator",
        )
        if not enrolments.active(session, org_id=vo_id, subject_ref=subject_ref, purpose=OVERSTAP):
            enrolments.register(session, body=EnrolmentCreate(subject=subject), ctx=vo, edges=edges)
            session.flush()  # the push looks the aanmelding up with a Core statement
        body = TransferCreate(recipient=vo_id, subject=subject, dossier=SAM_DOSSIER)
        po = _acting(po_id, "school_po", purpose=OVERSTAP, actor="demo-ib", role="ib")
        push_json(session, body=body, ctx=po, edges=edges)
    return True


def _acting(org_id: str, kind: str, *, purpose: str, actor: str, role: str) -> ActContext:
    principal = Principal(org_id, kind, "demo", frozenset())
    return ActContext(principal, purpose, actor, role, request_id="demo-setup")


# The dev IdP's demo FG (deploy/dev-idp/accounts.json): the `sub` of its login.
DEMO_OFFICER_SUB = "fg-davinci-demo"


def ensure_officer(db: Database, *, edges: Edges, org_id: str) -> bool:
    """Registers the demo FG for `org_id` once (logged, as the CLI does it)."""
    ref = edges.keyring.pseudonyms.officer_ref(DEMO_OFFICER_SUB)
    with db.sessions() as session, session.begin():
        if org_id in officers.organisations_of(session, ref):
            return False
        officers.add(
            session,
            org_id=org_id,
            sub=DEMO_OFFICER_SUB,
            pseudonyms=edges.keyring.pseudonyms,
            catalog=edges.catalog,
            now=edges.now,
        )
    return True
