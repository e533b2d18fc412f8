"""The later sections of the inzage report: cases, TLVs, signals, retention, accesses.

Each reads one scope (`gateway.rights.sections.Scope`): an officer's queries carry its
own organisation as a condition, a person's the portal's rules.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.cases import portal_view
from gateway.cases.models import Case, CaseEntry, CaseParticipant
from gateway.core.context import PORTAL_ORG
from gateway.edges import Edges
from gateway.rights import words
from gateway.rights.sections import Scope, hidden, names, person_ctx
from gateway.signals.models import Signal
from gateway.tlv.models import Tlv
from gateway.web import wording

VERWIJSINDEX_PURPOSES = ("verwijsindex.signaal", "verwijsindex.match")


def cases(session: Session, scope: Scope, edges: Edges) -> list[dict[str, Any]]:
    if scope.org_id is not None:
        return _own_cases(session, scope)
    person = portal_view.Person(scope.subject_ref, scope.relation, scope.age)
    ctx = person_ctx(scope, portal_view.PURPOSE)
    lines = []
    for line in portal_view.of_pupil(session, person=person, edges=edges):
        page = portal_view.read(session, case_id=line.id, person=person, ctx=ctx, edges=edges)
        lines.append(
            {
                "kind": line.kind,
                "kind_nl": words.case_kind(line.kind),
                "status": line.status,
                "regie": line.regie,
                "opened_at": line.created_at,
                "closed_at": line.closed_at,
                "participants": [
                    {"organisation": s.org, "role": wording.role(s.role), "mandate": s.mandate}
                    for s in page.participants
                ],
                "entries": [
                    {
                        "category": wording.category(e.category),
                        "writer": e.writer or "Portaal",
                        "written_at": e.created_at,
                        "readers": list(e.readers),
                        "own": e.own,
                        "content": e.content,
                    }
                    for e in page.entries
                ],
            }
        )
    case_holders(session, scope, edges)
    return lines


def case_holders(session: Session, scope: Scope, edges: Edges) -> None:
    """The organisations at the tables of the pupil's cases, where the person takes part."""
    person = portal_view.Person(scope.subject_ref, scope.relation, scope.age)
    if not portal_view.takes_part(edges.catalog, person):
        return
    seats = select(CaseParticipant.org_id).join(Case, Case.id == CaseParticipant.case_id)
    scope.orgs |= set(session.scalars(seats.where(Case.subject_ref == scope.subject_ref)))


def _own_cases(session: Session, scope: Scope) -> list[dict[str, Any]]:
    query = (
        select(Case, CaseParticipant)
        .join(CaseParticipant, CaseParticipant.case_id == Case.id)
        .where(Case.subject_ref == scope.subject_ref, CaseParticipant.org_id == scope.org_id)
        .order_by(Case.created_at)
    )
    lines = []
    for case, seat in session.execute(query):
        entries = session.scalars(
            select(CaseEntry).where(CaseEntry.case_id == case.id, CaseEntry.org_id == scope.org_id)
        )
        lines.append(
            {
                "kind": case.kind,
                "kind_nl": words.case_kind(case.kind),
                "status": case.status,
                "regie": "",
                "opened_at": case.created_at,
                "closed_at": case.closed_at,
                "participants": [
                    {"organisation": "", "role": wording.role(seat.role), "mandate": seat.mandate}
                ],
                "entries": [
                    {
                        "category": wording.category(e.category),
                        "writer": "",
                        "written_at": e.created_at,
                        "readers": [],
                        "own": True,
                        "content": None,
                        "expires_on": e.expires_on,
                    }
                    for e in entries
                ],
            }
        )
    return lines


def tlvs(session: Session, scope: Scope) -> list[dict[str, Any]]:
    query = select(Tlv).where(Tlv.subject_ref == scope.subject_ref)
    if scope.org_id is not None:
        query = query.where(or_(Tlv.swv_org_id == scope.org_id, Tlv.school_org_id == scope.org_id))
    found = list(session.scalars(query.order_by(Tlv.created_at)))
    by = names(session, {t.swv_org_id for t in found} | {t.school_org_id for t in found})
    scope.orgs |= {t.swv_org_id for t in found} | {t.school_org_id for t in found}
    return [
        {
            "swv": by.get(t.swv_org_id, ""),
            "school": by.get(t.school_org_id, ""),
            "status": t.status,
            "outcome": t.outcome,
            "category": t.category,
            "valid_from": t.valid_from,
            "valid_until": t.valid_until,
            "decided_on": t.decided_on,
            "objection_until": t.objection_until,
            "expires_on": t.expires_on,
        }
        for t in found
    ]


def signals(session: Session, scope: Scope) -> dict[str, Any]:
    """A person reads how the verwijsindex informs them; an officer its own signals."""
    if scope.org_id is None or scope.signal_key is None:
        return {"shown": False, "note": words.SIGNALS_NOTE if scope.org_id is None else ""}
    query = select(Signal).where(
        Signal.child_key == scope.signal_key, Signal.org_id == scope.org_id
    )
    return {
        "shown": True,
        "note": "",
        "items": [
            {
                "status": s.status,
                "registered_at": s.created_at,
                "active_until": s.expires_at,
                "archived_at": s.archived_at,
                "destroy_on": s.destroy_on,
                "informed": s.informed,
                "informed_on": s.informed_on,
            }
            for s in session.scalars(query)
        ],
    }


def retention(
    transfers: list[dict[str, Any]],
    cases: list[dict[str, Any]],
    tlvs: list[dict[str, Any]],
    consents: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """When each item is destroyed: the date where it is fixed, else its retention class."""
    lines = [
        words.kept(f"Dossier {t['purpose_nl']} ({t['sender']})", None, t["retention"])
        for t in transfers
    ]
    lines += [words.kept(f"TLV ({t['swv']})", t["expires_on"], None) for t in tlvs]
    lines += [
        words.kept(f"Toestemming {c['purpose_nl']}", None, "consent_history") for c in consents
    ]
    for case in cases:
        for entry in case["entries"]:
            what = f"Verslag in {case['kind_nl']} ({entry['category']})"
            lines.append(words.kept(what, entry.get("expires_on"), "case_entry"))
    return lines


def accesses(session: Session, scope: Scope, edges: Edges) -> list[dict[str, Any]]:
    """Every entry about the pupil the reader may see, newest first."""
    hide: ColumnElement[bool] | None = None
    if scope.org_id is None:
        hide = or_(
            hidden(scope, edges, AuditEntry.object_id, AuditEntry.purpose),
            AuditEntry.purpose.in_(VERWIJSINDEX_PURPOSES),
        )
    found: list[AuditEntry] = []
    cursor = None
    while True:
        page = audit.search(
            session,
            org=scope.org_id,
            subject_ref=scope.subject_ref,
            cursor=cursor,
            limit=500,
            hide=hide,
        )
        found += [e for e in page.items if not (scope.org_id and audit.strayed(e, scope.org_id))]
        cursor = page.next
        if cursor is None:
            break
    by = names(session, {e.org for e in found})
    return [
        {
            "time": e.time,
            "organisation": "Portaal" if e.org == PORTAL_ORG else by.get(e.org, ""),
            "role": wording.role(e.actor_role),
            "purpose": e.purpose,
            "purpose_nl": wording.purpose(e.purpose),
            "action": e.action,
            "action_nl": wording.action(e.action, refused=e.decision == "deny"),
            "decision": e.decision,
            "decision_nl": "geweigerd" if e.decision == "deny" else "toegestaan",
        }
        for e in found
    ]


def holders(session: Session, scope: Scope, report: Any) -> list[dict[str, str]]:
    """The organisations holding data on the pupil, as the reader may know them."""
    ids = {o for o in scope.orgs if o and o != PORTAL_ORG}
    if scope.org_id is not None:
        ids = {scope.org_id}
    by = names(session, ids)
    return sorted(({"id": o, "name": by[o]} for o in ids if o in by), key=lambda x: x["name"])
