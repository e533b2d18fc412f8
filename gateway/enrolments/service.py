"""Registering and deciding aanmeldingen, each act on record."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import registration_decision
from gateway.core.context import ActContext
from gateway.core.errors import Conflict, NotFound
from gateway.crypto.keyring import Keyring
from gateway.enrolments.models import ACTIVE_STATUSES, Enrolment
from gateway.enrolments.schemas import EnrolmentCreate, EnrolmentUpdate
from gateway.subjects import service as subjects
from policies.catalog import Catalog

# WVO art. 3.60 / seed 003: an aanmelding is decided once; afterwards a new one starts.
_TRANSITIONS = {"aangemeld": frozenset({"ingeschreven", "afgewezen"})}


def register(
    session: Session,
    *,
    body: EnrolmentCreate,
    ctx: ActContext,
    catalog: Catalog,
    keyring: Keyring,
    now: datetime,
) -> Enrolment:
    """The receiving school registers an aanmelding for the flow named in X-Purpose."""
    decision = registration_decision(catalog, ctx, action="enrolment.register", now=now)
    subject_ref = subjects.resolve(session, body.subject, keyring=keyring, now=now)
    if active(session, org_id=ctx.org_id, subject_ref=subject_ref, purpose=ctx.purpose):
        raise Conflict("An active aanmelding for this pupil exists.", code="enrolment_exists")
    enrolment = Enrolment(
        id="enr_" + secrets.token_hex(10),
        org_id=ctx.org_id,
        subject_ref=subject_ref,
        purpose=ctx.purpose,
        status=body.status,
        created_at=now,
        updated_at=now,
    )
    session.add(enrolment)
    audit.append(
        session,
        AuditEvent.of(
            ctx,
            action="enrolment.register",
            decision=decision,
            subject_ref=subject_ref,
            object_id=enrolment.id,
        ),
        now=now,
    )
    return enrolment


def decide(
    session: Session,
    *,
    enrolment_id: str,
    body: EnrolmentUpdate,
    ctx: ActContext,
    catalog: Catalog,
    now: datetime,
) -> Enrolment:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.org_id != ctx.org_id:
        raise NotFound("No such aanmelding.")
    if body.status not in _TRANSITIONS.get(enrolment.status, frozenset()):
        raise Conflict(
            f"An aanmelding that is {enrolment.status} cannot become {body.status}.",
            code="invalid_transition",
        )
    decision = registration_decision(
        catalog, ctx, action="enrolment.decide", now=now, purpose=enrolment.purpose
    )
    enrolment.status, enrolment.updated_at = body.status, now
    audit.append(
        session,
        AuditEvent.of(
            ctx,
            action=f"enrolment.{body.status}",
            decision=decision,
            subject_ref=enrolment.subject_ref,
            object_id=enrolment.id,
        ),
        now=now,
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
