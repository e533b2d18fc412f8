"""The sections of the inzage report, each read for one scope (`gateway.rights.report`).

A person's scope is the pupil as the portal shows them; an officer's is what its own
organisation holds: every query carries that organisation as a condition, so no row of
another organisation's is read for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from consent import gezag as gezag_rules
from consent.models import Consent, ConsentRecipient, GezagRelation
from gateway.audit import reviews
from gateway.cases.models import Case, CaseParticipant
from gateway.core.context import ActContext, person_context
from gateway.core.db import write_refusal
from gateway.core.errors import GatewayError
from gateway.edges import Edges
from gateway.enrolments.models import Enrolment
from gateway.orgs.models import Organisation
from gateway.rights import words
from gateway.rights.service import holds_data_on
from gateway.signals.models import Signal
from gateway.subjects.models import Subject
from gateway.tlv.models import Tlv
from gateway.transfers import inzage
from gateway.transfers.acts import waits_for_inzage
from gateway.transfers.models import Transfer
from gateway.web import wording

VERWIJSINDEX_PURPOSES = ("verwijsindex.signaal", "verwijsindex.match")


@dataclass(slots=True)
class Scope:
    subject_ref: str
    org_id: str | None = None
    signal_key: str | None = None
    person_ref: str | None = None
    relation: str = ""
    age: int = 0
    ctx: ActContext | None = None
    # Every organisation a section found holding data, for the requests' choice.
    orgs: set[str] = field(default_factory=set)


def local_day(now: datetime) -> date:
    return now.astimezone(wording.AMSTERDAM).date()


def holds_any(session: Session, *, org_id: str, subject_ref: str, signal_key: str | None) -> bool:
    """Does the organisation hold anything on the pupil through the gateway?"""
    if holds_data_on(session, org_id=org_id, subject_ref=subject_ref):
        return True
    held = [
        select(Case.id)
        .join(CaseParticipant, CaseParticipant.case_id == Case.id)
        .where(Case.subject_ref == subject_ref, CaseParticipant.org_id == org_id),
        select(Tlv.id).where(
            Tlv.subject_ref == subject_ref,
            or_(Tlv.swv_org_id == org_id, Tlv.school_org_id == org_id),
        ),
        select(GezagRelation.id).where(
            GezagRelation.subject_ref == subject_ref, GezagRelation.registered_by_org == org_id
        ),
        select(Subject.subject_ref).where(
            Subject.subject_ref == subject_ref, Subject.stated_by == org_id
        ),
    ]
    if signal_key is not None:
        held.append(
            select(Signal.id).where(Signal.child_key == signal_key, Signal.org_id == org_id)
        )
    return any(session.scalar(query.limit(1)) is not None for query in held)


def names(session: Session, org_ids: set[str]) -> dict[str, str]:
    if not org_ids:
        return {}
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
    return {org_id: name for org_id, name in session.execute(query)}


def facts(session: Session, scope: Scope, identity: Any, edges: Edges) -> dict[str, Any] | None:
    """The facts on record. An officer reads them only where its organisation stated them
    and keeps the pupil in its own administration (the inschrijving): a school that
    stated them with nothing but an aanmelding, which it registers on its own say for any
    BSN, is answered as for a pupil whose facts another school stated, so the report
    cannot tell it whether the pupil was known before."""
    row = session.get(Subject, scope.subject_ref)
    if row is None:
        return None
    if scope.org_id is not None and (
        row.stated_by != scope.org_id
        or not edges.authority.keeps_record(
            session, org_id=scope.org_id, subject_ref=scope.subject_ref
        )
    ):
        return None
    by = names(session, {row.stated_by} if row.stated_by else set())
    return {
        "birth_date": identity.birth_date,
        "given_name": identity.given_name,
        "family_name": identity.family_name,
        "stated_by": by.get(row.stated_by or "", ""),
        "authoritative": row.authoritative,
        "updated_at": row.updated_at or row.created_at,
    }


def gezag(session: Session, scope: Scope) -> list[dict[str, Any]]:
    changes = [
        c
        for c in gezag_rules.history(session, subject_ref=scope.subject_ref)
        if scope.org_id is None or c.registered_by == scope.org_id
    ]
    by = names(session, {c.registered_by for c in changes})
    scope.orgs |= {c.registered_by for c in changes}
    return [
        {
            "who": "U" if c.person_ref == scope.person_ref else words.someone(c.role),
            "role": c.role,
            "has_gezag": c.has_gezag,
            "registered_by": by.get(c.registered_by, ""),
            "since": c.since,
            "ended_at": c.ended_at,
        }
        for c in changes
    ]


def enrolments(session: Session, scope: Scope) -> list[dict[str, Any]]:
    query = select(Enrolment).where(Enrolment.subject_ref == scope.subject_ref)
    if scope.org_id is not None:
        query = query.where(Enrolment.org_id == scope.org_id)
    found = list(session.scalars(query.order_by(Enrolment.created_at)))
    by = names(session, {e.org_id for e in found})
    scope.orgs |= {e.org_id for e in found}
    return [
        {
            "school": by.get(e.org_id, ""),
            "purpose": e.purpose,
            "purpose_nl": wording.purpose(e.purpose),
            "status": e.status,
            "since": e.created_at,
            "updated_at": e.updated_at,
        }
        for e in found
    ]


def hidden(scope: Scope, edges: Edges, object_id: Any, purpose: Any) -> ColumnElement[bool]:
    glass = edges.catalog.break_glass_purposes()
    return reviews.hidden_from_parents(
        scope.subject_ref,
        cast(InstrumentedAttribute[str | None], object_id),
        cast(InstrumentedAttribute[str], purpose),
        glass,
    )


def transfers(
    session: Session,
    scope: Scope,
    edges: Edges,
    withheld: list[dict[str, Any]],
    *,
    content: bool = True,
) -> list[dict[str, Any]]:
    query = select(Transfer).where(Transfer.subject_ref == scope.subject_ref)
    if scope.org_id is not None:
        query = query.where(
            or_(Transfer.sender_org_id == scope.org_id, Transfer.recipient_org_id == scope.org_id)
        )
    else:
        # A meldcode report the parents may not know of is not in their report at all.
        query = query.where(~hidden(scope, edges, Transfer.id, Transfer.purpose))
    found = list(session.scalars(query.order_by(Transfer.created_at, Transfer.id)))
    by = names(session, {t.sender_org_id for t in found} | {t.recipient_org_id for t in found})
    scope.orgs |= {t.sender_org_id for t in found} | {t.recipient_org_id for t in found}
    lines = []
    for t in found:
        line: dict[str, Any] = {
            "id": t.id,
            "purpose": t.purpose,
            "purpose_nl": wording.purpose(t.purpose),
            "sender": by.get(t.sender_org_id, ""),
            "recipient": by.get(t.recipient_org_id, ""),
            "status": t.status,
            "status_nl": words.transfer_status(t.status),
            "categories": [wording.category(c) for c in t.categories],
            "sent_at": t.created_at,
            "inzage_date": t.inzage_date,
            "inzage_akkoord": t.inzage_akkoord,
            "zienswijze": None,
            "retention": t.retention,
            "content": None,
        }
        if content:
            _content(session, scope, edges, t, line, withheld)
        lines.append(line)
    return lines


def _content(
    session: Session,
    scope: Scope,
    edges: Edges,
    t: Transfer,
    line: dict[str, Any],
    withheld: list[dict[str, Any]],
) -> None:
    """The dossier's content where the portal's inzage rule lets the reader see it."""
    what = f"Inhoud van het dossier ({wording.purpose(t.purpose)}, {line['sender']})"
    if scope.org_id is not None:
        withheld.append(words.withheld(what, "officer_reads_own", t.id))
        return
    if t.status == "withdrawn" or not waits_for_inzage(edges.catalog, t.purpose):
        withheld.append(words.withheld(what, "ask_controller", t.id))
        return
    if scope.ctx is None or scope.person_ref is None:
        return
    ctx = person_ctx(scope, inzage.RIGHTS_PURPOSE)
    requester = inzage.Requester(scope.subject_ref, scope.relation, scope.age)
    try:
        view = inzage.read(session, transfer_id=t.id, requester=requester, ctx=ctx, edges=edges)
    except GatewayError as exc:
        write_refusal(session, exc)  # the refused read stays on record, as on its page
        withheld.append(words.withheld(what, exc.code, t.id))
        return
    line["content"] = view.dossier
    line["zienswijze"] = view.zienswijze


def person_ctx(scope: Scope, purpose: str) -> ActContext:
    base = cast(ActContext, scope.ctx)
    return person_context(
        person_ref=cast(str, scope.person_ref),
        role=scope.relation,
        purpose=purpose,
        request_id=base.request_id or "",
    )


def consents(session: Session, scope: Scope, now: datetime) -> list[dict[str, Any]]:
    query = (
        select(Consent)
        .options(selectinload(Consent.recipients))
        .where(Consent.subject_ref == scope.subject_ref)
    )
    if scope.org_id is not None:
        named = select(ConsentRecipient.consent_id).where(ConsentRecipient.org_id == scope.org_id)
        query = query.where(or_(Consent.registered_by_org == scope.org_id, Consent.id.in_(named)))
    found = list(session.scalars(query.order_by(Consent.created_at)))
    ids = {r.org_id for c in found for r in c.recipients}
    ids |= {c.registered_by_org for c in found if c.registered_by_org}
    by = names(session, ids)
    if scope.org_id is None:
        scope.orgs |= ids
    lines = []
    for c in found:
        recipients = [r.org_id for r in c.recipients]
        if scope.org_id is not None:  # not who else a consent names: that is theirs
            recipients = [r for r in recipients if r == scope.org_id]
        lines.append(
            {
                "purpose": c.purpose,
                "purpose_nl": wording.purpose(c.purpose),
                "recipients": sorted(by.get(r, "") for r in recipients),
                "categories": [wording.category(x) for x in c.categories],
                "status": words.consent_status(c.withdrawn_at, c.valid_until, now),
                "grantors": [wording.role(r) for r in c.grantor_roles],
                "registered_by": by.get(c.registered_by_org or "", ""),
                "valid_from": c.valid_from,
                "valid_until": c.valid_until,
                "withdrawn_at": c.withdrawn_at,
            }
        )
    return lines
