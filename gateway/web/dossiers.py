"""The dossiers about a child as the parents see them listed on the child's page.

Two kinds: the overstapdossiers the parents see before they go (with who recorded the
inzage: the parents in the portal, or the sending school through the API, where a
parent only reads that the school noted it), and the decisions about the child that
are a beschikking (the catalog's `objection_route`: the TLV decision), each with what it
means and how to object. A decision the SWV took in its TLV procedure also shows what
was decided (outcome, category, validity) and until when the parents may object, read
from the procedure's record; the experts' advice never shows. A decision pushed without
that procedure says only that it was taken, by whom, and the way to bezwaar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit.models import AuditEntry
from gateway.core.context import PORTAL_ORG
from gateway.edges import Edges
from gateway.orgs.models import Organisation
from gateway.tlv.models import Tlv
from gateway.transfers import inzage
from gateway.transfers.models import Transfer
from gateway.web import voice, wording
from gateway.web.children import Child
from policies.catalog import Catalog

OBJECTION_ROUTE = "objection_route"


@dataclass(frozen=True, slots=True)
class DossierLine:
    id: str
    purpose: str
    status: str
    sender: str
    recipient: str
    created_at: datetime
    # Who recorded the inzage, as `voice.Voice.inzage_recorded` names them; None before.
    inzage_by: str | None
    inzage_date: date | None


@dataclass(frozen=True, slots=True)
class DecisionLine:
    title: str
    about: str
    objection: str
    sender: str
    sent_on: date
    # What was decided, in the parents' words; empty when the gateway holds no record.
    facts: tuple[str, ...] = ()


def transfers(session: Session, *, kid: Child, viewer_ref: str, edges: Edges) -> list[DossierLine]:
    found = inzage.awaiting(session, subject_ref=kid.subject_ref, edges=edges)
    names = _names(session, {t.sender_org_id for t in found} | {t.recipient_org_id for t in found})
    recorders = inzage_recorders(session, subject_ref=kid.subject_ref, viewer_ref=viewer_ref)
    return [
        DossierLine(
            t.id,
            t.purpose,
            t.status,
            names.get(t.sender_org_id, ""),
            names.get(t.recipient_org_id, ""),
            t.created_at,
            recorders.get(t.id, "school") if t.inzage_date else None,
            t.inzage_date,
        )
        for t in found
    ]


def inzage_recorders(session: Session, *, subject_ref: str, viewer_ref: str) -> dict[str, str]:
    """Per transfer, who last recorded its inzage, read from the audit log.

    The transfer keeps the date and the akkoord, not who recorded them; the log does:
    an entry from the portal is the viewer ("self") or someone by their portal role,
    any other is the sending school's note.
    """
    query = (
        select(AuditEntry.object_id, AuditEntry.org, AuditEntry.actor, AuditEntry.actor_role)
        .where(
            AuditEntry.subject_ref == subject_ref,
            AuditEntry.action == "transfer.inzage",
            AuditEntry.decision == "permit",
        )
        .order_by(AuditEntry.seq)
    )
    found: dict[str, str] = {}
    for object_id, org, actor, role in session.execute(query):
        if object_id is None:
            continue
        if org != PORTAL_ORG:
            found[object_id] = "school"
        elif actor == viewer_ref:
            found[object_id] = "self"
        else:
            found[object_id] = role or "parent"
    return found


def decisions(session: Session, *, kid: Child, catalog: Catalog) -> list[DecisionLine]:
    """The decisions about the child that carry an objection route, newest first."""
    purposes = [
        purpose
        for purpose, flow in catalog.flows.items()
        if OBJECTION_ROUTE in flow.obligations and purpose in wording.DECISIONS
    ]
    query = (
        select(Transfer)
        .where(
            Transfer.subject_ref == kid.subject_ref,
            Transfer.purpose.in_(purposes),
            Transfer.status != "withdrawn",
        )
        .order_by(Transfer.created_at.desc(), Transfer.id.desc())
    )
    found = list(session.scalars(query))
    names = _names(session, {t.sender_org_id for t in found} | {t.recipient_org_id for t in found})
    records = _tlv_records(session, [t.id for t in found])
    reader = voice.of(kid)
    lines = []
    for t in found:
        swv = names.get(t.sender_org_id, "het samenwerkingsverband")
        about, objection = reader.decision(
            t.purpose,
            name=kid.name,
            school=names.get(t.recipient_org_id, "de school"),
            swv=swv,
        )
        record = records.get(t.id)
        facts = () if record is None else tuple(reader.tlv_facts(record))
        lines.append(
            DecisionLine(
                wording.decision_title(t.purpose),
                about,
                objection,
                swv,
                t.created_at.date(),
                facts,
            )
        )
    return lines


def _tlv_records(session: Session, transfer_ids: list[str]) -> dict[str, Tlv]:
    """The TLV procedures whose decision went out as one of these transfers."""
    if not transfer_ids:
        return {}
    query = select(Tlv).where(Tlv.decision_transfer_id.in_(transfer_ids))
    return {t.decision_transfer_id: t for t in session.scalars(query) if t.decision_transfer_id}


def _names(session: Session, org_ids: set[str]) -> dict[str, str]:
    if not org_ids:
        return {}
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
    return {org_id: name for org_id, name in session.execute(query)}
