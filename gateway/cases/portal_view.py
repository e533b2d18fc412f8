"""The case as the parents and the pupil from 12 see it in the portal, and their own view.

The parents (and the child from 12) take part in the knooppunt (DOMAIN §3, flow 11).
Which of them do is the age rule of the case consent of knooppunt.casus, read from the
catalog: under 12 the parents with gezag, from 12 to 15 the parents and the pupil, from
16 the pupil alone, as everywhere in the portal where the rights pass to the pupil at
16. A parent without gezag takes no part.

What they see: the case (kind, status, regie, the yearly evaluation), who sits at the
table (organisation, role, mandate; not the person, whom the gateway knows by the
organisation's opaque id only), the agreements in full (`knooppunt_afspraken`, made with
them at the table), and of every entry what is shared about the pupil: who wrote it,
its category, when, and which participants read it now, by the very decision their own
read gets (`reading.readable_by`). The contents of the professionals' other entries
stay with their writers: the portal is not the inzage route (AVG art. 15 is asked of
each controller under `rechten.inzage`). The one content besides the agreements is the
viewer's own view, which they wrote.

Their own view (eigen visie) is an entry the portal owns (`org_id` `portaal`, author
their portal role, never who they are): sealed like every entry, released by the
catalog to every participant with a mandate. Every read and every write is on the
pupil's record with the person as actor; a case that is not theirs answers as an id
that never existed, with the attempt on the case creator's record.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.audit.service import AuditEvent
from gateway.cases import acts, reading, service
from gateway.cases.models import Case, CaseEntry
from gateway.catalog.enforce import basis_decision
from gateway.core.context import DATA_SUBJECT, PORTAL_ORG, ActContext
from gateway.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from gateway.core.fields import Text
from gateway.edges import Edges
from gateway.orgs.models import Organisation
from policies.catalog import Catalog
from policies.model import Decision

PURPOSE = acts.PURPOSE
AGREEMENTS = "knooppunt_afspraken"
PARENTS = frozenset({"parent", "guardian"})
# Whose view it is: the pupil's own, or the parents'.
VIEW_OF = {"pupil": "visie_leerling", "parent": "visie_ouders", "guardian": "visie_ouders"}
REASONS = {
    "read": "The parents, and the pupil from 12, take part in the case: they read it in the "
    "portal.",
    "view": "The parents, and the pupil from 12, add their own view to the case; it is theirs "
    "to share with the table.",
}


@dataclass(frozen=True, slots=True)
class Person:
    """Who looks in the portal: for which pupil, as what, and the pupil's age now."""

    subject_ref: str
    # parent, guardian (gezag on record), parent_without_gezag, or pupil (their own).
    relation: str
    age: int


def takes_part(catalog: Catalog, person: Person) -> bool:
    """Does this person take part in the pupil's cases: the case consent's age rule."""
    flow = catalog.flow_for_purpose(PURPOSE)
    if flow is None or not flow.enabled or flow.consent is None:
        return False
    parents, pupil = flow.consent.age_rule.at(person.age)
    return pupil if person.relation == "pupil" else parents and person.relation in PARENTS


@dataclass(frozen=True, slots=True)
class CaseLine:
    id: str
    kind: str
    status: str
    regie: str
    created_at: datetime
    closed_at: datetime | None


def of_pupil(session: Session, *, person: Person, edges: Edges) -> list[CaseLine]:
    """The pupil's cases, open and closed, newest first; none where the person takes no part."""
    if not takes_part(edges.catalog, person):
        return []
    query = (
        select(Case)
        .where(Case.subject_ref == person.subject_ref)
        .order_by(Case.created_at.desc(), Case.id.desc())
    )
    found = list(session.scalars(query))
    names = _names(session, {case.regie_org for case in found})
    return [
        CaseLine(c.id, c.kind, c.status, names.get(c.regie_org, ""), c.created_at, c.closed_at)
        for c in found
    ]


@dataclass(frozen=True, slots=True)
class Seat:
    """A participant at the table, as the parents read it."""

    org: str
    kind: str
    role: str
    mandate: bool


@dataclass(frozen=True, slots=True)
class Shared:
    """One entry: who wrote it, what it is, when, who else reads it now."""

    id: str
    category: str
    # The organisation that wrote it; "" for a view written in the portal.
    writer: str
    created_at: datetime
    # The participants besides the writer that read it now (organisation names, A-Z).
    readers: tuple[str, ...]
    # The viewer's own view, which they wrote.
    own: bool
    # Shown only for the agreements and the viewer's own view.
    content: Any = None


@dataclass(frozen=True, slots=True)
class CasePage:
    case: Case
    title: str
    regie: str
    participants: tuple[Seat, ...]
    entries: tuple[Shared, ...]
    evaluation_due: datetime

    @property
    def agreements(self) -> tuple[Shared, ...]:
        return tuple(e for e in self.entries if e.category == AGREEMENTS)


def read(
    session: Session, *, case_id: str, person: Person, ctx: ActContext, edges: Edges
) -> CasePage:
    """The case page; on the pupil's record with what of its contents it showed."""
    case = _of_pupil(session, case_id, person, ctx, edges, action="case.read")
    viewed = service.view(session, case, edges)
    present = [(p, kind) for p, kind in viewed.participants if kind]
    names = _names(session, {case.regie_org} | {p.org_id for p, _ in present})
    own = _own_views(session, case, ctx)
    readers = [
        (p.org_id, names.get(p.org_id, ""), reading.readable_by(session, case, p, kind, edges))
        for p, kind in present
    ]
    query = (
        select(CaseEntry)
        .where(CaseEntry.case_id == case.id)
        .order_by(CaseEntry.created_at, CaseEntry.id)
    )
    found = list(session.scalars(query))
    writers = _names(session, {entry.org_id for entry in found})
    entries = []
    for entry in found:
        mine = entry.id in own
        shown = entry.category == AGREEMENTS or mine
        entries.append(
            Shared(
                id=entry.id,
                category=entry.category,
                writer=writers.get(entry.org_id, ""),
                created_at=entry.created_at,
                readers=tuple(
                    sorted(name for org, name, may in readers if org != entry.org_id and may(entry))
                ),
                own=mine,
                content=_opened(session, entry, edges) if shown else None,
            )
        )
    page = CasePage(
        case=case,
        title=viewed.title,
        regie=names.get(case.regie_org, ""),
        participants=tuple(
            Seat(names.get(p.org_id, ""), kind, p.role, p.mandate) for p, kind in present
        ),
        entries=tuple(entries),
        evaluation_due=service.evaluation_due(case),
    )
    categories = frozenset(e.category for e in page.entries if e.content is not None)
    event = AuditEvent.of(
        ctx,
        action="case.read",
        decision=_permit(edges, "read", categories),
        subject_ref=case.subject_ref,
        object_id=case.id,
        categories=categories,
    )
    audit.append(session, event, now=edges.now)
    return page


class ViewIn(BaseModel):
    """The own view as the form sends it: the catalog's fields, as plain text."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    visie: Text = Field(min_length=1, max_length=4000)
    wensen: Text = Field(default="", max_length=4000)


def write_view(
    session: Session,
    *,
    case_id: str,
    person: Person,
    visie: str,
    wensen: str,
    ctx: ActContext,
    edges: Edges,
) -> CaseEntry:
    """The parents' or the pupil's own view, sealed in the case as their entry."""
    action = "case.entry.write"
    case = _of_pupil(session, case_id, person, ctx, edges, action=action)
    category = VIEW_OF[person.relation]
    with _attempt(ctx, edges, action) as act:
        act.subject_ref, act.object_id = case.subject_ref, case.id
        act.owner, act.categories = case.created_by_org, frozenset({category})
        flow = edges.catalog.flow_for_purpose(PURPOSE)
        if flow is None or not flow.enabled:
            raise Forbidden("The policy catalog has no knooppunt flow.", code="flow_not_allowed")
        if case.status != "open":
            raise Conflict("The case is closed.", code="case_closed")
        carried = (route.allowed for route in flow.routes if DATA_SUBJECT in route.senders)
        if not any(category in allowed for allowed in carried):
            raise Unprocessable(
                f"The catalog carries no {category} from the portal.", code="category_forbidden"
            )
        try:
            form = ViewIn(visie=visie, wensen=wensen)
        except ValidationError as exc:
            raise Unprocessable(
                "The view is one to 4000 characters of plain text.", code="category_invalid"
            ) from exc
        content = {"visie": form.visie} | ({"wensen": form.wensen} if form.wensen else {})
        if edges.catalog.misfits({category: content}):
            raise Unprocessable(
                "The view does not fit the fields the catalog gives it.", code="category_invalid"
            )
    entry = CaseEntry(
        id="ce_" + secrets.token_hex(10),
        case_id=case.id,
        org_id=PORTAL_ORG,
        # Their portal role: the log knows who wrote it, the case file does not.
        author=person.relation,
        category=category,
        content=b"",
        # Their own view keeps the class the catalog resolves for the data subject.
        retention=flow.retention.for_writer(DATA_SUBJECT).key,
        policy_version=edges.catalog.version,
        created_at=edges.now,
    )
    payload = json.dumps(content, separators=(",", ":")).encode()
    entry.content = edges.keyring.envelope.seal(
        session,
        subject_ref=case.subject_ref,
        purpose=PURPOSE,
        record_id=_record(entry),
        plaintext=payload,
        now=edges.now,
        scope=acts.entry_scope(case.id, PORTAL_ORG),
    )
    session.add(entry)
    case.updated_at = edges.now
    categories = frozenset({category})
    event = AuditEvent.of(
        ctx,
        action=action,
        decision=_permit(edges, "view", categories),
        subject_ref=case.subject_ref,
        object_id=entry.id,
        categories=categories,
    )
    audit.append(session, event, now=edges.now)
    return entry


def _of_pupil(
    session: Session, case_id: str, person: Person, ctx: ActContext, edges: Edges, *, action: str
) -> Case:
    """The pupil's case, where this person takes part; else 404, with the attempt on
    the creator's record. Another pupil's case stays out of this pupil's log."""
    case = session.get(Case, case_id)
    mine = case is not None and case.subject_ref == person.subject_ref
    if case is None or not mine or not takes_part(edges.catalog, person):
        with _attempt(ctx, edges, action) as act:
            if case is not None:
                act.owner = case.created_by_org
            if case is not None and mine:
                act.subject_ref, act.object_id = case.subject_ref, case.id
            raise NotFound("No such case for this child.")
    return case


def _own_views(session: Session, case: Case, ctx: ActContext) -> frozenset[str]:
    """The entries this person wrote in the portal, as the log records them: the case
    file names their role only."""
    query = select(AuditEntry.object_id).where(
        AuditEntry.subject_ref == case.subject_ref,
        AuditEntry.action == "case.entry.write",
        AuditEntry.org == PORTAL_ORG,
        AuditEntry.actor == ctx.actor,
        AuditEntry.decision == "permit",
    )
    return frozenset(found for found in session.scalars(query) if found)


def _record(entry: CaseEntry) -> str:
    """The record an entry's content is sealed under, as the case register seals it."""
    return f"{entry.id}/content"


def _opened(session: Session, entry: CaseEntry, edges: Edges) -> Any:
    plaintext = edges.keyring.envelope.open(
        session, record_id=_record(entry), purpose=PURPOSE, ciphertext=entry.content
    )
    return json.loads(plaintext)


def _names(session: Session, org_ids: set[str]) -> dict[str, str]:
    if not org_ids:
        return {}
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
    return {org_id: name for org_id, name in session.execute(query)}


def _permit(edges: Edges, act: str, categories: frozenset[str]) -> Decision:
    return basis_decision(
        edges.catalog,
        purpose=PURPOSE,
        rule=f"{PURPOSE}/case/portal/{act}",
        reason=REASONS[act],
        categories=categories,
    )


def _attempt(ctx: ActContext, edges: Edges, action: str) -> audit.AttemptScope:
    return audit.attempt(ctx, action=action, policy_version=edges.catalog.version, now=edges.now)
