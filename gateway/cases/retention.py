"""How long each party keeps what it wrote at the table, and the purge that ends it.

There is no shared master file (DOMAIN §3, flow 11: "each party its own term"): the
flow's class `own_term` is resolved per writer kind in the catalog (`by_writer`), and an
entry is stamped with its writer's class when it is written: a school's entry with the
leerlingdossier term, the SWV's with swv_3y, the wijkteam's and jeugdhulp's with
jeugdhulp_20y, the JGZ's with jgz_20y, leerplicht's with verzuim_5y.

The term counts from the day the case closes. An open case is still in use, so nothing
of it expires; and the events the sector terms run from (the pupil leaving the school,
the end of care, deregistration) are not seen by the gateway, while the case closing is
the last day the entry served its purpose here. A class without years gives no expiry.

The parents' and the pupil's own view (`portaal`, class case_view) is their zienswijze on
what the parties wrote: it expires with the case's last party entry, and never before
the class's own years after the close. Where some party's entry has no expiry, neither
has the view.

The purge deletes an expired entry of a closed case, and with the last entry of its
writer in the case destroys the data key they were sealed under (`case:<id>/<writer>`,
`gateway.crypto.envelope`): the writer's entries in one case share a class and a close
date, so they expire on one day, and no other party's or case's entry shares the key.
An entry sealed before keys had scopes shares the pupil's key for knooppunt.casus with
other entries: its ciphertext goes with the row, the key stays until the pupil's last
record goes. Each deletion is on the writer's audit log (the portal's for a view),
without content.

The case row itself (kind, status, who sat at the table, when) stays as the register of
who shared with whom: an AVG art. 15 answer and the audit log refer to it, and it holds
no party's content besides its sealed title. The agreements (`knooppunt_afspraken`) are
entries like any other and follow their writer.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent.period import today
from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.cases import acts
from gateway.cases.models import Case, CaseEntry
from gateway.catalog.enforce import basis_decision
from gateway.core.context import DATA_SUBJECT, PORTAL_ORG
from gateway.crypto.envelope import Envelope
from gateway.crypto.models import DataKey
from gateway.orgs.models import Organisation
from gateway.retention.terms import Due
from policies.compiled import Catalog, Retention

PURPOSE = "knooppunt.casus"
KIND = "case_entry"
# The actor of the purge in the audit log: the gateway itself, on the operator's job.
PURGE_ACTOR = "gateway.retention"
PURGE_RULE = f"{PURPOSE}/retention/purge"
PURGE_REASON = "The case closed and the entry is past the term of its writer's own class."


def own_class(catalog: Catalog, writer_kind: str) -> str:
    """The class a writer of this kind keeps its entries under (stamped at write)."""
    flow = catalog.flow_for_purpose(PURPOSE)
    if flow is None:
        return "own_term"
    return flow.retention.for_writer(writer_kind).key


def stamp_on_close(session: Session, case: Case, *, catalog: Catalog) -> None:
    """Sets every entry's expiry, counted from the day the case closed."""
    if case.closed_at is None:
        return
    closed = today(case.closed_at)
    found = list(session.scalars(select(CaseEntry).where(CaseEntry.case_id == case.id)))
    parties = [e for e in found if e.org_id != PORTAL_ORG]
    views = [e for e in found if e.org_id == PORTAL_ORG]
    kinds = _kinds(session, {e.org_id for e in parties})
    for entry in parties:
        term = _class_of(catalog, entry, kinds.get(entry.org_id, ""))
        entry.retention = term.key
        entry.expires_on = _expiry(closed, term.years)
    ends = [entry.expires_on for entry in parties]
    for entry in views:
        term = _class_of(catalog, entry, DATA_SUBJECT)
        entry.retention = term.key
        floor = _expiry(closed, term.years)
        if floor is None or any(end is None for end in ends):
            entry.expires_on = None
        else:
            entry.expires_on = max([floor, *(end for end in ends if end is not None)])


def purge_expired(session: Session, *, catalog: Catalog, now: datetime) -> list[str]:
    """Ends every entry of a closed case whose expiry has come; each on its writer's
    audit log. Returns the ids purged."""
    found = due(session, now=now)
    for item in found:
        destroy(session, item, catalog=catalog, now=now)
    session.flush()
    return [item.id for item in found]


def due(session: Session, *, now: datetime) -> list[Due]:
    """Every entry of a closed case whose expiry has come."""
    query = (
        select(CaseEntry.id, CaseEntry.retention)
        .join(Case, Case.id == CaseEntry.case_id)
        .where(
            Case.status == "closed",
            Case.closed_at.is_not(None),
            CaseEntry.expires_on <= today(now),
        )
        .order_by(CaseEntry.expires_on, CaseEntry.id)
    )
    return [Due(KIND, retention, entry_id) for entry_id, retention in session.execute(query)]


def destroy(session: Session, item: Due, *, catalog: Catalog, now: datetime) -> None:
    """Deletes the entry, and destroys the key of its writer's entries in the case once
    none of them is left (they expire on one day, so the last one takes it)."""
    entry = session.get(CaseEntry, item.id, with_for_update=True)
    if entry is None:  # gone already (another process, an earlier run)
        return
    case = session.get(Case, entry.case_id)
    if case is None:
        return
    categories = frozenset({entry.category})
    decision = basis_decision(
        catalog, purpose=PURPOSE, rule=PURGE_RULE, reason=PURGE_REASON, categories=categories
    )
    event = AuditEvent(
        org=entry.org_id,
        actor=PURGE_ACTOR,
        actor_role=None,
        purpose=PURPOSE,
        action="case.entry.purge",
        decision=decision,
        subject_ref=case.subject_ref,
        object_id=entry.id,
        categories=categories,
        owner=entry.org_id,
    )
    session.delete(entry)
    session.flush()
    left = select(CaseEntry.id).where(
        CaseEntry.case_id == case.id, CaseEntry.org_id == entry.org_id
    )
    if session.execute(left.limit(1)).first() is None:
        scope = DataKey.scope == acts.entry_scope(case.id, entry.org_id)
        mine = (DataKey.subject_ref == case.subject_ref) & (DataKey.purpose == PURPOSE)
        Envelope.destroy(session, mine & scope, now=now)
    audit.append(session, event, now=now)


def _class_of(catalog: Catalog, entry: CaseEntry, writer_kind: str) -> Retention:
    """The entry's stamped class; an entry stamped with the flow's unresolved class
    (written before classes were resolved per writer) gets its writer's now."""
    flow = catalog.flow_for_purpose(PURPOSE)
    if flow is None:
        return Retention(entry.retention, "", "")
    own = flow.retention
    if entry.retention == own.key:
        return own.for_writer(writer_kind)
    for term in own.by_writer.values():
        if term.key == entry.retention:
            return term
    # A class the catalog no longer resolves to: no fixed term, so it is kept.
    return Retention(entry.retention, "", "")


def _kinds(session: Session, org_ids: set[str]) -> dict[str, str]:
    if not org_ids:
        return {}
    query = select(Organisation.id, Organisation.kind).where(Organisation.id.in_(org_ids))
    return {org_id: kind for org_id, kind in session.execute(query)}


def _expiry(closed: date, years: int | None) -> date | None:
    return None if years is None else _years_after(closed, years)


def _years_after(day: date, years: int) -> date:
    """The same day `years` on; 29 February becomes 1 March (never a day early)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)
