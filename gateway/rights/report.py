"""The inzage report (AVG art. 15): everything the gateway holds about one pupil.

Two readers, one builder. A parent with gezag, or the pupil from 16 (the catalog's rule
for `rechten.inzage`, `gateway.web.children`), reads it in the portal: every record
about the pupil the portal's own rules let them see, and every access. An
organisation's privacy officer (FG) reads it through the API: only what its own
organisation holds (its enrolments, the dossiers it sent or received, the consents it
registered or is named in, its cases, TLVs and signals, its own log), never joined with
what another organisation holds.

What the rules withhold is named, with its ground, never dropped in silence, with one
exception the law makes: a meldcode report the parents may not know of yet is hidden
from them altogether (AVG art. 23, UAVG art. 41; `gateway.audit.reviews`), and so are
the verwijsindex's acts (the reporter informs the family, or records why that is
unsafe). Generating the report is itself on record (`rights.inzage.report`).

The JSON form (`as_json`, schema `inzage-report/1`) has these top-level fields:
`schema`, `generated_at`, `reader` (`person` or `officer`), `scope` (Dutch sentence),
`pupil` {`subject_ref`, `name`, `birth_date`, `age`}, `facts` {`birth_date`,
`given_name`, `family_name`, `stated_by`, `authoritative`, `updated_at`} or null,
`gezag`, `enrolments`, `transfers`, `consents`, `cases`, `tlvs`, `signals`,
`retention`, `accesses`, `withheld`, `organisations` (lists of objects; see the
dataclasses below: every field is in the JSON under its own name).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import basis_decision, supervision_decision
from gateway.core.context import ActContext
from gateway.core.errors import Forbidden, NotFound
from gateway.edges import Edges
from gateway.rights import held, sections
from gateway.rights.sections import Scope
from gateway.subjects import service as subjects

SCHEMA = "inzage-report/1"
ACTION = "rights.inzage.report"
RIGHTS_PURPOSE = "rechten.inzage"


@dataclass(frozen=True, slots=True)
class PersonViewer:
    """A parent or the pupil in the portal, as `gateway.web.children.Child` decided."""

    person_ref: str
    relation: str
    age: int
    may_act: bool
    ctx: ActContext


@dataclass(frozen=True, slots=True)
class OfficerViewer:
    """An organisation's privacy officer: sees what its own organisation holds."""

    ctx: ActContext
    # The pupil's key in the verwijsindex (from the BSN the officer sent), for its signals.
    signal_key: str | None = None


Viewer = PersonViewer | OfficerViewer


@dataclass(frozen=True, slots=True)
class Report:
    schema: str
    generated_at: datetime
    reader: str
    scope: str
    pupil: dict[str, Any]
    facts: dict[str, Any] | None
    gezag: list[dict[str, Any]] = field(default_factory=list)
    enrolments: list[dict[str, Any]] = field(default_factory=list)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    tlvs: list[dict[str, Any]] = field(default_factory=list)
    signals: dict[str, Any] = field(default_factory=dict)
    retention: list[dict[str, Any]] = field(default_factory=list)
    accesses: list[dict[str, Any]] = field(default_factory=list)
    withheld: list[dict[str, Any]] = field(default_factory=list)
    organisations: list[dict[str, str]] = field(default_factory=list)


SCOPE_PERSON = (
    "Dit overzicht bevat alles wat de gateway over de leerling bewaart en wat de ouders met "
    "gezag (of de leerling vanaf 16 jaar) mogen zien, en wie de gegevens heeft bekeken of "
    "gebruikt."
)
SCOPE_OFFICER = (
    "Dit overzicht bevat alleen wat uw eigen organisatie via de gateway over de leerling "
    "bewaart, en de handelingen daarop in het logboek van uw organisatie."
)


def build_report(session: Session, *, subject_ref: str, viewer: Viewer, edges: Edges) -> Report:
    """The report for `viewer`, on record; a pupil the viewer may not see is a 404.

    An officer whose organisation holds nothing on the pupil gets the same 404 as for a
    BSN the gateway never saw: the report must not tell it that someone else does.
    """
    ctx = viewer.ctx
    with audit.attempt(ctx, action=ACTION, policy_version=edges.catalog.version, now=edges.now):
        if isinstance(viewer, OfficerViewer):
            decision = supervision_decision(edges.catalog, ctx, action=ACTION, now=edges.now)
            if not sections.holds_any(
                session, org_id=ctx.org_id, subject_ref=subject_ref, signal_key=viewer.signal_key
            ):
                raise NotFound("No such pupil.")
            scope = Scope(subject_ref, org_id=ctx.org_id, signal_key=viewer.signal_key)
        else:
            if not viewer.may_act:
                raise Forbidden(
                    "The catalog's rule for rechten.inzage does not let this person ask.",
                    code="requester_not_entitled",
                )
            decision = basis_decision(
                edges.catalog,
                purpose=RIGHTS_PURPOSE,
                rule=f"{RIGHTS_PURPOSE}/report",
                reason="The parent with gezag, or the pupil from 16, reads everything held.",
            )
            scope = Scope(
                subject_ref,
                person_ref=viewer.person_ref,
                relation=viewer.relation,
                age=viewer.age,
                ctx=ctx,
            )
        identity = subjects.identity(session, subject_ref, keyring=edges.keyring)
        if identity is None:
            raise NotFound("No such pupil.")
    report = _assemble(session, scope, edges, identity_of=identity)
    event = AuditEvent.of(ctx, action=ACTION, decision=decision, subject_ref=subject_ref)
    audit.append(session, event, now=edges.now)
    return report


def _assemble(session: Session, scope: Scope, edges: Edges, *, identity_of: Any) -> Report:
    today = sections.local_day(edges.now)
    officer = scope.org_id is not None
    facts = sections.facts(session, scope, identity_of, edges)
    pupil: dict[str, Any] = {"subject_ref": None, "name": None, "birth_date": None, "age": None}
    if scope.org_id is not None:
        pupil["subject_ref"] = edges.keyring.pseudonyms.refs_for(scope.org_id)(scope.subject_ref)
    # An officer reads the name and birth date only where its own organisation stated
    # them and keeps the pupil enrolled (`sections.facts`): what another school
    # registered is that school's to tell.
    if facts is not None:
        pupil |= {
            "name": " ".join(p for p in (identity_of.given_name, identity_of.family_name) if p),
            "birth_date": identity_of.birth_date,
            "age": identity_of.age_on(today),
        }
    withheld: list[dict[str, Any]] = []
    transfers = sections.transfers(session, scope, edges, withheld)
    cases = held.cases(session, scope, edges)
    tlvs = held.tlvs(session, scope)
    consents = sections.consents(session, scope, edges.now)
    enrolments = sections.enrolments(session, scope)
    report = Report(
        schema=SCHEMA,
        generated_at=edges.now,
        reader="officer" if officer else "person",
        scope=SCOPE_OFFICER if officer else SCOPE_PERSON,
        pupil=pupil,
        facts=facts,
        gezag=sections.gezag(session, scope),
        enrolments=enrolments,
        transfers=transfers,
        consents=consents,
        cases=cases,
        tlvs=tlvs,
        signals=held.signals(session, scope),
        retention=held.retention(transfers, cases, tlvs, consents),
        accesses=held.accesses(session, scope, edges),
        withheld=withheld,
    )
    orgs = held.holders(session, scope, report)
    return _with_organisations(report, orgs)


def _with_organisations(report: Report, orgs: list[dict[str, str]]) -> Report:
    values = {name: getattr(report, name) for name in report.__dataclass_fields__}
    values["organisations"] = orgs
    return Report(**values)


def as_json(report: Report) -> dict[str, Any]:
    """The report as JSON: dates as ISO 8601 strings, schema `inzage-report/1`."""
    plain: dict[str, Any] = _plain(asdict(report))
    return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
