"""Correction and erasure requests (AVG art. 16, 17), answered within the term of art. 12(3).

A parent with gezag, or the pupil from 16 (the catalog's rule for the rights, as in the
portal), files a request in the portal against one organisation that holds the pupil's
data (one the inzage report names). The words of the request are sealed at rest. The
term is one calendar month from receipt (the same day of the next month, or the last
day of that month where it has no such day); the controller may extend it once by two
further months, with its reason, and answers `granted` or `refused` (on a ground of
`gateway.rights.grounds` it may invoke). A correction of the birth date or the name is
the authoritative school's own act, `POST /v1/subjects/correction`; the request records
that it was granted. Every act is on record in the same transaction, and the filing is
in the controller's log too (as the object's owner).
"""

from __future__ import annotations

import calendar
import json
import secrets
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import basis_decision
from gateway.core.context import ActContext
from gateway.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from gateway.edges import Edges
from gateway.rights.grounds import REQUEST_GROUND_RIGHTS, REQUEST_GROUNDS
from gateway.rights.models import RightsRequest
from gateway.rights.sections import local_day
from policies.model import Decision

SEALING_PURPOSE = "rechten.verzoek"
RIGHTS = ("rechten.correctie", "rechten.verwijdering")
OPEN = ("open", "extended")
TERM_MONTHS = 1
EXTENSION_MONTHS = 2
SOON = timedelta(days=7)


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, or that month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Filing:
    subject_ref: str
    org_id: str
    right: str
    # What is wrong and what it should be (a correction); what should go (an erasure).
    wrong: str
    should_be: str


def _permit(edges: Edges, right: str, act: str, reason: str) -> Decision:
    return basis_decision(edges.catalog, purpose=right, rule=f"{right}/{act}", reason=reason)


def file(
    session: Session,
    filing: Filing,
    *,
    may_act: bool,
    holders: set[str],
    ctx: ActContext,
    edges: Edges,
) -> RightsRequest:
    """The request on record, with its term; refused (on record) where the person may
    not ask or the organisation is not one the report named as holding the data."""
    action = "rights.request.file"
    version = edges.catalog.version
    with audit.attempt(
        ctx, action=action, policy_version=version, now=edges.now, subject_ref=filing.subject_ref
    ):
        if filing.right not in RIGHTS:
            raise Unprocessable("Not a correction or erasure right.", code="flow_not_allowed")
        if not may_act:
            raise Forbidden(
                "The catalog's rule for the rights does not let this person ask.",
                code="requester_not_entitled",
            )
        if filing.org_id not in holders:
            raise NotFound("No such organisation holding the pupil's data.")
    received = local_day(edges.now)
    request_id = f"rr_{secrets.token_hex(12)}"
    words = json.dumps({"wrong": filing.wrong, "should_be": filing.should_be})
    sealed = edges.keyring.envelope.seal(
        session,
        subject_ref=filing.subject_ref,
        purpose=SEALING_PURPOSE,
        record_id=request_id,
        plaintext=words.encode(),
        now=edges.now,
    )
    request = RightsRequest(
        id=request_id,
        subject_ref=filing.subject_ref,
        org_id=filing.org_id,
        right=filing.right,
        requester_ref=ctx.actor or "",
        requester_role=ctx.actor_role or "",
        text=sealed,
        received_on=received,
        deadline=add_months(received, TERM_MONTHS),
        extended=False,
        status="open",
        created_at=edges.now,
        updated_at=edges.now,
    )
    session.add(request)
    session.flush()
    decision = _permit(edges, filing.right, "file", "The requester asks the controller.")
    event = AuditEvent.of(
        ctx, action=action, decision=decision, subject_ref=filing.subject_ref, object_id=request_id
    )
    audit.append(session, replace(event, purpose=filing.right, owner=filing.org_id), now=edges.now)
    return request


def words_of(session: Session, request: RightsRequest, edges: Edges) -> dict[str, str]:
    opened = edges.keyring.envelope.open(
        session, record_id=request.id, purpose=SEALING_PURPOSE, ciphertext=request.text
    )
    found: dict[str, str] = json.loads(opened)
    return found


def note_of(session: Session, request: RightsRequest, edges: Edges) -> str | None:
    if request.note is None:
        return None
    return edges.keyring.envelope.open(
        session, record_id=f"{request.id}/note", purpose=SEALING_PURPOSE, ciphertext=request.note
    ).decode()


def of_pupil(session: Session, *, subject_ref: str) -> list[RightsRequest]:
    query = select(RightsRequest).where(RightsRequest.subject_ref == subject_ref)
    return list(session.scalars(query.order_by(RightsRequest.created_at.desc())))


def of_org(session: Session, *, org_id: str, due: str | None, edges: Edges) -> list[RightsRequest]:
    """The organisation's own requests; `due=soon`: open and due within 7 days,
    `due=overdue`: open and past the deadline."""
    query = select(RightsRequest).where(RightsRequest.org_id == org_id)
    today = local_day(edges.now)
    if due is not None:
        query = query.where(RightsRequest.status.in_(OPEN))
    if due == "soon":
        query = query.where(RightsRequest.deadline >= today, RightsRequest.deadline <= today + SOON)
    elif due == "overdue":
        query = query.where(RightsRequest.deadline < today)
    return list(session.scalars(query.order_by(RightsRequest.deadline, RightsRequest.id)))


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: str
    ground: str | None
    note: str | None


def decide(
    session: Session, *, request_id: str, answer: Answer, ctx: ActContext, edges: Edges
) -> RightsRequest:
    """The controller's answer; the same answer again changes nothing (idempotent)."""
    action = "rights.request.decide"
    version = edges.catalog.version
    with audit.attempt(ctx, action=action, policy_version=version, now=edges.now) as act:
        request = session.get(RightsRequest, request_id)
        if request is None or request.org_id != ctx.org_id:
            # Another controller's request answers as an id that never existed.
            if request is not None:
                act.owner = request.org_id
            raise NotFound("No such request.")
        act.subject_ref, act.object_id = request.subject_ref, request.id
        if ctx.purpose != request.right:
            raise Forbidden(
                f"This request is answered under {request.right}.", code="purpose_mismatch"
            )
        if _same(request, answer):
            return request
        _check(request, answer, ctx)
    _apply(session, request, answer, edges)
    decision = _permit(edges, request.right, answer.outcome, "The controller answers the request.")
    if answer.outcome == "refused" and answer.ground is not None:
        decision = replace(decision, legal_basis=REQUEST_GROUNDS[answer.ground].statute)
    event = AuditEvent.of(
        ctx, action=action, decision=decision, subject_ref=request.subject_ref, object_id=request.id
    )
    audit.append(session, replace(event, purpose=request.right), now=edges.now)
    return request


def _same(request: RightsRequest, answer: Answer) -> bool:
    if answer.outcome == "extended":
        return request.extended and request.status == "extended"
    return request.status == answer.outcome and request.ground == answer.ground


def _check(request: RightsRequest, answer: Answer, ctx: ActContext) -> None:
    if request.status not in OPEN:
        raise Conflict("The request is answered already.", code="invalid_transition")
    if answer.outcome == "extended":
        if request.extended:
            raise Conflict("The term is extended once only.", code="invalid_transition")
        if not answer.note:
            raise Unprocessable("An extension needs its reason (note).", code="reason_missing")
    if answer.outcome == "refused":
        ground = REQUEST_GROUNDS.get(answer.ground or "")
        if ground is None:
            raise Unprocessable("A refusal needs its ground.", code="ground_missing")
        if REQUEST_GROUND_RIGHTS.get(ground.code, request.right) != request.right:
            raise Unprocessable(
                f"{ground.statute} does not answer a request under {request.right}.",
                code="ground_not_applicable",
            )
        if ground.kinds is not None and ctx.org_kind not in ground.kinds:
            raise Forbidden(
                f"A {ctx.org_kind} cannot refuse on {ground.statute}.",
                code="ground_not_applicable",
            )
    elif answer.ground is not None:
        raise Unprocessable("Only a refusal names a ground.", code="ground_not_applicable")


def _apply(session: Session, request: RightsRequest, answer: Answer, edges: Edges) -> None:
    if answer.outcome == "extended":
        request.extended = True
        request.deadline = add_months(request.received_on, TERM_MONTHS + EXTENSION_MONTHS)
        request.status = "extended"
    else:
        request.status, request.ground = answer.outcome, answer.ground
        request.decided_at = edges.now
    if answer.note:
        request.note = edges.keyring.envelope.seal(
            session,
            subject_ref=request.subject_ref,
            purpose=SEALING_PURPOSE,
            record_id=f"{request.id}/note",
            plaintext=answer.note.encode(),
            now=edges.now,
        )
    request.updated_at = edges.now
