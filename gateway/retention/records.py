"""The records the gateway keeps beside the flows: enrolments, idempotency records, and
the pupil's own record with the gezag registered on it.

- An enrolment is kept `inschrijving_5y`: five years from the day it ended
  (`uitgeschreven` or `afgewezen`: its last change). A running enrolment does not expire.
- An idempotency record (`idempotency`, days) is a technical copy of an answer, kept
  for retries only; it is deleted in bulk without a line per record.
- The pupil's record (`subject_record`: the pseudonym, the sealed identity, the
  fingerprints) and the gezag registered on it are needed only while some record about
  the pupil is kept. When none is left (no transfer, enrolment, case, consent or TLV),
  they go, and every data key of the pupil is destroyed: also the keys made before keys
  had scopes, whose last ciphertext has then gone too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from consent.models import Consent, GezagRelation
from consent.period import today
from gateway.audit import service as audit
from gateway.cases.models import Case
from gateway.core.idempotency import IdempotencyRecord
from gateway.crypto.envelope import Envelope
from gateway.crypto.models import DataKey
from gateway.enrolments.models import ACTIVE_STATUSES, Enrolment
from gateway.retention import terms
from gateway.retention.terms import Due
from gateway.rights.models import RightsReminder, RightsRequest
from gateway.rights.requests import OPEN
from gateway.subjects.models import Subject
from gateway.tlv.models import Tlv
from gateway.transfers.models import Transfer
from policies.compiled import Catalog

ENROLMENT, SUBJECT, IDEMPOTENCY = "inschrijving_5y", "subject_record", "idempotency"
# A pupil's record is left alone on the day it was made: an act that made it may still
# be about to write its first record.
SUBJECT_GRACE = timedelta(days=1)
SUBJECT_PURPOSE = "subject.record"


def enrolments_due(session: Session, *, catalog: Catalog, now: datetime) -> list[Due]:
    years = _years(catalog, ENROLMENT)
    if years is None:
        return []
    day = today(now)
    query = (
        select(Enrolment.id, Enrolment.updated_at)
        .where(
            Enrolment.status.not_in(ACTIVE_STATUSES),
            Enrolment.updated_at <= now - timedelta(days=365 * years - 2),
        )
        .order_by(Enrolment.updated_at, Enrolment.id)
    )
    return [
        Due("enrolment", ENROLMENT, enrolment_id)
        for enrolment_id, updated_at in session.execute(query)
        if terms.expired(today(updated_at), years, day)
    ]


def destroy_enrolment(session: Session, item: Due, *, catalog: Catalog, now: datetime) -> None:
    enrolment = session.get(Enrolment, item.id, with_for_update=True)
    if enrolment is None:
        return
    event = terms.event(
        catalog,
        org=enrolment.org_id,
        purpose=enrolment.purpose,
        subject_ref=enrolment.subject_ref,
        object_id=enrolment.id,
        retention=item.retention,
    )
    session.delete(enrolment)
    session.flush()
    audit.append(session, event, now=now)


def subjects_due(session: Session, *, catalog: Catalog, now: datetime) -> list[Due]:
    """Every pupil of whom no record is left and no rights request awaits its answer."""
    ref = Subject.subject_ref
    held = [
        select(Transfer.id).where(Transfer.subject_ref == ref),
        select(Enrolment.id).where(Enrolment.subject_ref == ref),
        select(Case.id).where(Case.subject_ref == ref),
        select(Consent.id).where(Consent.subject_ref == ref),
        select(Tlv.id).where(Tlv.subject_ref == ref),
        select(RightsRequest.id).where(
            RightsRequest.subject_ref == ref, RightsRequest.status.in_(OPEN)
        ),
    ]
    query = select(ref).where(Subject.created_at <= now - SUBJECT_GRACE).order_by(ref)
    for kept in held:
        query = query.where(~kept.exists())
    return [Due("subject", SUBJECT, subject_ref) for subject_ref in session.scalars(query)]


def destroy_subject(session: Session, item: Due, *, catalog: Catalog, now: datetime) -> None:
    subject = session.get(Subject, item.id, with_for_update=True)
    if subject is None:
        return
    Envelope.destroy(session, DataKey.subject_ref == subject.subject_ref, now=now)
    session.execute(delete(GezagRelation).where(GezagRelation.subject_ref == subject.subject_ref))
    # Answered requests go with the pupil: their words were sealed under its keys.
    answered = select(RightsRequest.id).where(RightsRequest.subject_ref == subject.subject_ref)
    session.execute(delete(RightsReminder).where(RightsReminder.request_id.in_(answered)))
    session.execute(delete(RightsRequest).where(RightsRequest.subject_ref == subject.subject_ref))
    org = subject.stated_by or terms.ACTOR
    event = terms.event(
        catalog,
        org=org,
        purpose=SUBJECT_PURPOSE,
        subject_ref=subject.subject_ref,
        object_id=subject.subject_ref,
        retention=item.retention,
    )
    session.delete(subject)
    session.flush()
    audit.append(session, event, now=now)


def idempotency_due(session: Session, *, catalog: Catalog, now: datetime) -> int:
    days = _days(catalog)
    if days is None:
        return 0
    query = select(IdempotencyRecord.key).where(
        IdempotencyRecord.created_at <= now - timedelta(days=days)
    )
    return len(session.scalars(query).all())


def purge_idempotency(session: Session, *, catalog: Catalog, now: datetime) -> int:
    days = _days(catalog)
    if days is None:
        return 0
    gone = session.execute(
        delete(IdempotencyRecord)
        .where(IdempotencyRecord.created_at <= now - timedelta(days=days))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(gone, "rowcount", 0) or 0)


def _years(catalog: Catalog, key: str) -> int | None:
    found = catalog.taxonomy.retention_classes.get(key)
    return found.years if found is not None else None


def _days(catalog: Catalog) -> int | None:
    found = catalog.taxonomy.retention_classes.get(IDEMPOTENCY)
    return found.days if found is not None else None
