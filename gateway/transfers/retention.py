"""How long a transfer is kept, and its destruction by destroying its data key.

The class is the flow's (stamped at the push: `leerlingdossier` for an overstap,
`swv_3y` for a TLV request, `jeugdhulp_20y` for a referral, ...). The sector terms run
from the pupil leaving the receiving school or the end of care, which the gateway does
not see; so the term counts from the transfer's last act here (`updated_at`: the push,
the inzage, the first read, the acknowledgement). That is the last day
it served its purpose at the gateway, and never earlier than the handover itself: a
dossier kept by the receiver is in the receiver's own file from then on.

A transfer a TLV record still refers to (its request, its decision, an advice) waits
for that record: both are `swv_3y`, and the TLV's term runs from its validity's end.

Destroying a transfer destroys its own data key (`transfer:<id>`, see
`gateway.crypto.envelope`), so every copy of its sealed dossier, zienswijze, notes and
context is unreadable, and deletes its row: the API answers for it as for a transfer
that never existed. A transfer sealed before keys had scopes shares its pupil's key for
the purpose with others: its row goes, the key stays until the pupil's last record goes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from consent.period import today
from gateway.audit import service as audit
from gateway.crypto.envelope import Envelope
from gateway.crypto.models import DataKey
from gateway.retention import terms
from gateway.retention.terms import Due
from gateway.tlv.models import Tlv, TlvAdvice
from gateway.transfers.acts import key_scope
from gateway.transfers.models import Transfer
from policies.compiled import Catalog

KIND = "transfer"


def due(session: Session, *, catalog: Catalog, now: datetime) -> list[Due]:
    """Every transfer past its class's term, counted from its last act."""
    day = today(now)
    found: list[Due] = []
    for key, years in _terms(catalog).items():
        # A superset by days (a year has at least 365), narrowed by the calendar below.
        before = now - timedelta(days=365 * years - 2)
        query = (
            select(Transfer.id, Transfer.updated_at)
            .where(Transfer.retention == key, Transfer.updated_at <= before)
            .where(~_in_tlv())
            .order_by(Transfer.updated_at, Transfer.id)
        )
        for transfer_id, updated_at in session.execute(query):
            if terms.expired(today(updated_at), years, day):
                found.append(Due(KIND, key, transfer_id))
    return found


def destroy(session: Session, item: Due, *, catalog: Catalog, now: datetime) -> None:
    transfer = session.get(Transfer, item.id, with_for_update=True)
    if transfer is None:  # gone already (another process, an earlier run)
        return
    scope = DataKey.scope == key_scope(transfer.id)
    mine = (DataKey.subject_ref == transfer.subject_ref) & (DataKey.purpose == transfer.purpose)
    Envelope.destroy(session, mine & scope, now=now)
    event = terms.event(
        catalog,
        org=transfer.recipient_org_id,
        purpose=transfer.purpose,
        subject_ref=transfer.subject_ref,
        object_id=transfer.id,
        retention=item.retention,
    )
    session.delete(transfer)
    audit.append(session, event, now=now)


def _terms(catalog: Catalog) -> dict[str, int]:
    return {
        flow.retention.key: flow.retention.years
        for flow in catalog.flows.values()
        if flow.retention.years is not None
    }


def _in_tlv() -> ColumnElement[bool]:
    request = select(Tlv.id).where(
        or_(Tlv.request_transfer_id == Transfer.id, Tlv.decision_transfer_id == Transfer.id)
    )
    advice = select(TlvAdvice.id).where(TlvAdvice.transfer_id == Transfer.id)
    return or_(request.exists(), advice.exists())
