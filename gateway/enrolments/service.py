"""Registering and deciding aanmeldingen, each act on record."""

from __future__ import annotations

import secrets
from dataclasses import replace

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import REGISTRATION_PURPOSE, own_task_decision, registration_decision
from gateway.core.context import ActContext
from gateway.core.errors import Conflict, NotFound, Unprocessable
from gateway.edges import Edges
from gateway.enrolments.models import ACTIVE_STATUSES, Enrolment
from gateway.enrolments.schemas import EnrolmentCreate, EnrolmentUpdate
from gateway.subjects import service as subjects

# WVO art. 3.60 / seed 003: an aanmelding is decided once; afterwards a new one starts.
# A pupil the school enrolled leaves it (uitgeschreven): the school's word on the pupil's
# facts then passes to the school where the pupil is enrolled next.
_TRANSITIONS = {
    "aangemeld": frozenset({"ingeschreven", "afgewezen"}),
    "ingeschreven": frozenset({"uitgeschreven"}),
}


def register(
    session: Session, *, body: EnrolmentCreate, ctx: ActContext, edges: Edges
) -> Enrolment:
    """The school registers a pupil: an aanmelding for the flow named in X-Purpose, or
    (`leerling.inschrijving`) its own enrolled pupil. Either makes the school the party
    authoritative for the pupil's facts (DOMAIN §7)."""
    own_pupil = ctx.purpose == REGISTRATION_PURPOSE
    with audit.attempt(
        ctx, action="enrolment.register", policy_version=edges.catalog.version, now=edges.now
    ) as act:
        expected = "ingeschreven" if own_pupil else "aangemeld"
        if body.status != expected:
            raise Unprocessable(
                f"Under {ctx.purpose} the status is {expected}.", code="invalid_status"
            )
        if own_pupil:
            decision = own_task_decision(
                edges.catalog,
                ctx,
                purpose=REGISTRATION_PURPOSE,
                action="enrolment.register",
                now=edges.now,
                reason="The school registers its own pupil in its leerlingadministratie.",
            )
        else:
            decision = registration_decision(
                edges.catalog, ctx, action="enrolment.register", now=edges.now
            )
        act.subject_ref = edges.keyring.pseudonyms.subject_ref(body.subject.bsn)
        # Discreet (DOMAIN §7): a school that does not hold the pupil's inschrijving is
        # told nothing about the record, also after its own aanmelding (which it registers
        # on its own say, for any BSN) and also where that aanmelding stated the record. A
        # conflicting birth date or name is then not refused (a 409 would confirm the
        # record's facts to whoever guesses them) and not written: the record stands,
        # the registration references the pupil, and the answer is the one a matching
        # statement gets. The school holding the inschrijving is refused a conflict (409).
        known = subjects.agreed(
            session,
            body.subject,
            ctx=ctx,
            standing=edges.standing,
            act=act,
            discreet=True,
            authoritative=True,
        )
        subject_ref = known or subjects.resolve(
            session, body.subject, ctx=ctx, standing=edges.standing, authoritative=True, act=act
        )
        if active(session, org_id=ctx.org_id, subject_ref=subject_ref, purpose=ctx.purpose):
            raise Conflict("An active registration for this pupil exists.", code="enrolment_exists")
    enrolment = Enrolment(
        id="enr_" + secrets.token_hex(10),
        org_id=ctx.org_id,
        subject_ref=subject_ref,
        purpose=ctx.purpose,
        status=body.status,
        created_at=edges.now,
        updated_at=edges.now,
    )
    session.add(enrolment)
    event = AuditEvent.of(
        ctx,
        action="enrolment.register",
        decision=decision,
        subject_ref=subject_ref,
        object_id=enrolment.id,
    )
    # The school that holds the pupil's record sees another school register the pupil.
    owner = subjects.school_of_record(session, subject_ref, edges.authority)
    audit.append(session, replace(event, owner=owner), now=edges.now)
    return enrolment


def decide(
    session: Session,
    *,
    enrolment_id: str,
    body: EnrolmentUpdate,
    ctx: ActContext,
    edges: Edges,
) -> Enrolment:
    with audit.attempt(
        ctx, action=f"enrolment.{body.status}", policy_version=edges.catalog.version, now=edges.now
    ) as act:
        enrolment = session.get(Enrolment, enrolment_id)
        if enrolment is not None:
            act.subject_ref, act.object_id, act.owner = (
                enrolment.subject_ref,
                enrolment.id,
                enrolment.org_id,
            )
        if enrolment is None or enrolment.org_id != ctx.org_id:
            raise NotFound("No such aanmelding.")
        if body.status not in _TRANSITIONS.get(enrolment.status, frozenset()):
            raise Conflict(
                f"An aanmelding that is {enrolment.status} cannot become {body.status}.",
                code="invalid_transition",
            )
    if enrolment.purpose == REGISTRATION_PURPOSE:
        decision = own_task_decision(
            edges.catalog,
            ctx,
            purpose=REGISTRATION_PURPOSE,
            action="enrolment.decide",
            now=edges.now,
            reason="The school keeps its own leerlingadministratie.",
        )
    else:
        decision = registration_decision(
            edges.catalog, ctx, action="enrolment.decide", now=edges.now, purpose=enrolment.purpose
        )
    enrolment.status, enrolment.updated_at = body.status, edges.now
    audit.append(
        session,
        AuditEvent.of(
            ctx,
            action=f"enrolment.{body.status}",
            decision=decision,
            subject_ref=enrolment.subject_ref,
            object_id=enrolment.id,
        ),
        now=edges.now,
    )
    return enrolment


# Built once: this runs inside every overdracht act.
_ACTIVE = (
    select(Enrolment.id)
    .where(
        Enrolment.org_id == bindparam("org_id"),
        Enrolment.subject_ref == bindparam("subject_ref"),
        Enrolment.purpose == bindparam("purpose"),
        Enrolment.status.in_(ACTIVE_STATUSES),
    )
    .limit(1)
)


def active(session: Session, *, org_id: str, subject_ref: str, purpose: str) -> str | None:
    """The id of the pupil's active aanmelding at `org_id` for `purpose`, if any."""
    params = {"org_id": org_id, "subject_ref": subject_ref, "purpose": purpose}
    found: str | None = session.connection().execute(_ACTIVE, params).scalar()
    return found
