"""Reminders about the term of the open rights requests: `gateway rights remind`, daily.

For each open request, once 7 days before its deadline (`soon`) and once when it is
past (`overdue`), for the deadline then in force (an extension starts the stages over):
a reminder row the controller and its privacy officer list with the requests
(`GET /v1/rights/requests?due=soon|overdue`), and an entry in the controller's log.
Running it twice the same day reminds nothing twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import basis_decision
from gateway.core.context import trace
from gateway.core.db import Database, insert_or_ignore
from gateway.edges import Edges
from gateway.rights.models import RightsReminder, RightsRequest
from gateway.rights.requests import OPEN, SOON
from gateway.rights.sections import local_day

ACTION = "rights.request.remind"


def stage_of(request: RightsRequest, edges: Edges) -> str | None:
    today = local_day(edges.now)
    if today > request.deadline:
        return "overdue"
    if today >= request.deadline - SOON:
        return "soon"
    return None


def remind(session: Session, edges: Edges) -> int:
    """Records every reminder due now and not yet recorded; how many it recorded."""
    today = local_day(edges.now)
    query = select(RightsRequest).where(
        RightsRequest.status.in_(OPEN), RightsRequest.deadline <= today + SOON
    )
    made = 0
    for request in session.scalars(query.order_by(RightsRequest.deadline, RightsRequest.id)):
        stage = stage_of(request, edges)
        if stage is None or _sent(session, request, stage):
            continue
        values = {
            "request_id": request.id,
            "stage": stage,
            "deadline": request.deadline,
            "org_id": request.org_id,
            "created_at": edges.now,
        }
        insert_or_ignore(session, RightsReminder, values)
        decision = basis_decision(
            edges.catalog,
            purpose=request.right,
            rule=f"{request.right}/remind/{stage}",
            reason=f"The request's deadline {request.deadline.isoformat()} is {stage}.",
        )
        event = AuditEvent(
            org=request.org_id,
            actor=None,
            actor_role=None,
            purpose=request.right,
            action=ACTION,
            decision=decision,
            subject_ref=request.subject_ref,
            object_id=request.id,
            owner=request.org_id,
        )
        audit.append(session, event, now=edges.now)
        made += 1
    return made


def _sent(session: Session, request: RightsRequest, stage: str) -> bool:
    key = (request.id, stage, request.deadline)
    return session.get(RightsReminder, key) is not None


def reminders_of(session: Session, request_ids: list[str]) -> dict[str, list[RightsReminder]]:
    if not request_ids:
        return {}
    query = select(RightsReminder).where(RightsReminder.request_id.in_(request_ids))
    found: dict[str, list[RightsReminder]] = {}
    for reminder in session.scalars(query.order_by(RightsReminder.created_at)):
        found.setdefault(reminder.request_id, []).append(reminder)
    return found


def run(db: Database, edges: Edges) -> int:
    """One round in one transaction, under a trace of its own."""
    with trace(), db.unit_of_work() as session:
        return remind(session, edges)
