"""How long the SWV keeps a TLV record, and the purge that ends it.

The term comes from the catalog: the retention class of the procedure's stage
(`tlv.aanvraag` while it is open, `tlv.besluit` once decided; both `swv_3y`, DOMAIN §3
rows 5 and 6: at most three years). It is counted from the record's last relevant day:

- an open request: the day it was opened;
- a refused TLV: the decision date;
- a granted TLV: the last day it is valid, so that the herbeoordeling still finds it.

A class without a fixed term in years (`years` in the catalog) gives no expiry, and the
purge leaves such a record alone. The request, the advice and the decision travel as
transfers; they keep their own retention class and are not touched here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from consent.period import today
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import basis_decision
from gateway.retention.terms import Due
from gateway.tlv.models import Tlv, TlvAdvice
from policies.compiled import Catalog

REQUEST, DECISION = "tlv.aanvraag", "tlv.besluit"
KIND = "tlv"
# The actor of the purge in the audit log: the gateway itself, on the operator's job.
PURGE_ACTOR = "gateway.retention"
PURGE_REASON = "The record is past the retention term the catalog gives its class."


def stamp(tlv: Tlv, catalog: Catalog) -> None:
    """Sets the record's retention class and expiry for its current stage."""
    flow = catalog.flow_for_purpose(DECISION if tlv.decided_on is not None else REQUEST)
    if flow is None:
        tlv.retention, tlv.expires_on = None, None
        return
    tlv.retention = flow.retention.key
    years = flow.retention.years
    tlv.expires_on = None if years is None else _years_after(_start(tlv), years)


def _start(tlv: Tlv) -> date:
    if tlv.decided_on is None:
        return today(tlv.created_at)
    if tlv.valid_until is not None:
        return max(tlv.valid_until, tlv.decided_on)
    return tlv.decided_on


def _years_after(day: date, years: int) -> date:
    """The same day `years` on; 29 February becomes 1 March (never a day early)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def purge_expired(session: Session, *, catalog: Catalog, now: datetime) -> list[str]:
    """Deletes every TLV record whose expiry has come, with the disciplines recorded
    for it; each deletion is on the SWV's audit log. Returns the ids purged."""
    found = due(session, now=now)
    for item in found:
        destroy(session, item, catalog=catalog, now=now)
    session.flush()
    return [item.id for item in found]


def due(session: Session, *, now: datetime) -> list[Due]:
    query = (
        select(Tlv.id, Tlv.retention)
        .where(Tlv.expires_on <= today(now))
        .order_by(Tlv.expires_on, Tlv.id)
    )
    return [Due(KIND, retention or "", tlv_id) for tlv_id, retention in session.execute(query)]


def destroy(session: Session, item: Due, *, catalog: Catalog, now: datetime) -> None:
    """The record holds no sealed content: its rows are deleted."""
    tlv = session.get(Tlv, item.id, with_for_update=True)
    if tlv is None:  # gone already (another process, an earlier run)
        return
    session.execute(delete(TlvAdvice).where(TlvAdvice.tlv_id == tlv.id))
    purpose = DECISION if tlv.decided_on is not None else REQUEST
    decision = basis_decision(
        catalog, purpose=purpose, rule=f"{purpose}/retention/purge", reason=PURGE_REASON
    )
    event = AuditEvent(
        org=tlv.swv_org_id,
        actor=PURGE_ACTOR,
        actor_role=None,
        purpose=purpose,
        action="tlv.purge",
        decision=decision,
        subject_ref=tlv.subject_ref,
        object_id=tlv.id,
        owner=tlv.swv_org_id,
    )
    session.delete(tlv)
    session.flush()
    audit.append(session, event, now=now)
