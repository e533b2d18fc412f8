"""Does the sender have standing with the pupil it means to send about? (DOMAIN §7)

Only the school where a pupil is enrolled states facts about them; by extension a party
says something about a pupil only where it has a standing relationship with them: the
school its own pupil, the SWV a pupil whose TLV request it received, the wijkteam a
pupil referred to it. The catalog names per route which relation counts
(`sender_relation`); this module looks them up in the gateway's own records and hands
the engine one fact, the precondition `sender_related`.

Every look-up answers only for the sender and the pupil together, and a pupil unknown
to the gateway is simply not related: the refusal reads the same either way, so it tells
a stranger nothing about whether the pupil exists or who else knows them.
"""

from __future__ import annotations

import functools

from sqlalchemy import Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session

from consent.models import Consent
from gateway.cases.models import Case, CaseParticipant
from gateway.core.context import ActContext
from gateway.edges import Edges
from gateway.enrolments.models import ACTIVE_STATUSES, Enrolment
from gateway.subjects import service as subjects
from gateway.transfers.models import Transfer
from policies.catalog import Catalog
from policies.compiled import SenderRelation

# A transfer the recipient may see: awaiting inzage it has not reached them, withdrawn it
# was taken back.
SEEN = ("available", "received", "acknowledged")

_ENROLLED = exists().where(
    Enrolment.org_id == bindparam("org_id"),
    Enrolment.subject_ref == bindparam("subject_ref"),
    Enrolment.status.in_(ACTIVE_STATUSES),
)
_CASE = exists().where(
    CaseParticipant.org_id == bindparam("org_id"),
    CaseParticipant.left_at.is_(None),
    CaseParticipant.case_id == Case.id,
    Case.subject_ref == bindparam("subject_ref"),
    Case.status == "open",
)
_CONSENT = exists().where(
    Consent.registered_by_org == bindparam("org_id"),
    Consent.subject_ref == bindparam("subject_ref"),
    Consent.purpose == bindparam("purpose"),
    Consent.withdrawn_at.is_(None),
)
_HOLDS = exists().where(
    Transfer.subject_ref == bindparam("subject_ref"),
    or_(
        Transfer.sender_org_id == bindparam("org_id"),
        and_(Transfer.recipient_org_id == bindparam("org_id"), Transfer.status.in_(SEEN)),
    ),
)


def relation_for(
    catalog: Catalog, *, purpose: str, sender_kind: str, recipient_kind: str
) -> SenderRelation | None:
    """The relation the route for this pair asks of its sender; None: no such route."""
    binding = catalog.routes.get((purpose, sender_kind, recipient_kind))
    return None if binding is None else binding.route.sender_relation


def related(
    session: Session,
    relation: SenderRelation | None,
    *,
    org_id: str,
    subject_ref: str,
    purpose: str,
) -> bool:
    """Whether `org_id` holds any one of the relations `relation` names; no relation
    named (no route, or a route without one) is no standing: fail closed."""
    query = _query_for(relation) if relation is not None else None
    if query is None:
        return False
    params = {"org_id": org_id, "subject_ref": subject_ref, "purpose": purpose}
    return bool(session.connection().execute(query, params).scalar())


@functools.cache
def _query_for(relation: SenderRelation) -> Select[tuple[bool]] | None:
    """One statement per relation, built once: a push runs it for every pupil."""
    checks = []
    if relation.enrolled:
        checks.append(_ENROLLED)
    if relation.case:
        checks.append(_CASE)
    if relation.registered_consent:
        checks.append(_CONSENT)
    if relation.holds_data:
        checks.append(_HOLDS)
    if relation.received:
        checks.append(
            exists().where(
                Transfer.recipient_org_id == bindparam("org_id"),
                Transfer.subject_ref == bindparam("subject_ref"),
                Transfer.purpose.in_(sorted(relation.received)),
                Transfer.status.in_(SEEN),
            )
        )
    if not checks:
        return None
    return select(or_(*checks))


def knows(session: Session, ctx: ActContext, edges: Edges, subject_ref: str) -> bool:
    """The sender keeps the pupil in its administration (the inschrijving), received data
    on them, or sits at their case: it holds their facts already, and a conflict with the
    record tells it nothing new. What it sent or stated itself does not count, nor an
    aanmelding: any school registers one on its own say, for any BSN."""
    if subjects.knows_record(session, ctx=ctx, subject_ref=subject_ref, standing=edges.standing):
        return True
    held = SenderRelation(case=True, received=frozenset(edges.catalog.flows))
    return related(session, held, org_id=ctx.org_id, subject_ref=subject_ref, purpose=ctx.purpose)
