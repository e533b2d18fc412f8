"""How long a consent is kept once it no longer holds, and its destruction.

A consent is the proof of the basis of what was exchanged on it (AVG art. 7(1): the
controller demonstrates the consent). So it is kept under the term of its purpose's
flow (`consent_record` in the taxonomy), counted from the day it stopped holding: its
withdrawal, or the end of its validity, whichever came first. A flow whose class is each
party's own (`own_term`, the knooppunt) keeps it for the longest of the parties' terms:
the consent stays as long as any entry written on it may. A flow without a term in
years gives no expiry. A consent in force never expires.

Destroying a consent destroys its own data key (`consent:<id>`: the grantors' names and
the paper form's reference) and deletes its row with its recipients, events (with their
signed receipts) and the recipients' notifications.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from consent.models import (
    SEALING_PURPOSE,
    Consent,
    ConsentEvent,
    ConsentNotification,
    ConsentRecipient,
    consent_scope,
)
from consent.period import today
from gateway.audit import service as audit
from gateway.core.context import PORTAL_ORG
from gateway.crypto.envelope import Envelope
from gateway.crypto.models import DataKey
from gateway.retention import terms
from gateway.retention.terms import Due
from policies.compiled import Catalog, Retention

KIND, CLASS = "consent", "consent_record"


def due(session: Session, *, catalog: Catalog, now: datetime) -> list[Due]:
    day = today(now)
    query = (
        select(Consent.id, Consent.purpose, Consent.valid_until, Consent.withdrawn_at)
        .where(or_(Consent.withdrawn_at.is_not(None), Consent.valid_until <= now))
        .order_by(Consent.valid_until, Consent.id)
    )
    found: list[Due] = []
    for consent_id, purpose, valid_until, withdrawn_at in session.execute(query):
        ended = min(valid_until, withdrawn_at) if withdrawn_at is not None else valid_until
        if terms.expired(today(ended), years_of(catalog, purpose), day):
            found.append(Due(KIND, CLASS, consent_id))
    return found


def years_of(catalog: Catalog, purpose: str) -> int | None:
    """The term of the consent's flow; for a class each party's own, the longest."""
    flow = catalog.flow_for_purpose(purpose)
    if flow is None:
        return None
    return _longest(flow.retention)


def _longest(retention: Retention) -> int | None:
    if not retention.by_writer:
        return retention.years
    terms_ = [_longest(own) for own in retention.by_writer.values()]
    return None if any(t is None for t in terms_) else max(t for t in terms_ if t is not None)


def destroy(session: Session, item: Due, *, catalog: Catalog, now: datetime) -> None:
    consent = session.get(Consent, item.id, with_for_update=True)
    if consent is None:  # gone already (another process, an earlier run)
        return
    mine = (DataKey.subject_ref == consent.subject_ref) & (DataKey.purpose == SEALING_PURPOSE)
    Envelope.destroy(session, mine & (DataKey.scope == consent_scope(consent.id)), now=now)
    for table in (ConsentNotification, ConsentEvent, ConsentRecipient):
        session.execute(delete(table).where(table.consent_id == consent.id))
    org = consent.registered_by_org or PORTAL_ORG
    event = terms.event(
        catalog,
        org=org,
        purpose=consent.purpose,
        subject_ref=consent.subject_ref,
        object_id=consent.id,
        retention=item.retention,
    )
    session.delete(consent)
    session.flush()
    audit.append(session, event, now=now)
