"""The reporter lifts the restriction towards the parents on their meldcode report.

A report sent while telling the parents was unsafe is hidden from everything the
parents see (AVG art. 23, UAVG art. 41; `audit.reviews`). When that is no longer so,
the person who reported lifts it here, by the transfer they sent; the organisation's
privacy officer can do the same from the review list. Either way it is an act on
record, and the review shows who lifted it, when and why.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gateway.audit import reviews
from gateway.audit import service as audit
from gateway.audit.reviews import BreakGlassReview
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import own_task_decision
from gateway.core.context import ActContext
from gateway.core.errors import NotFound
from gateway.edges import Edges

ACTION = "meldcode.restriction_lift"


def lift(
    session: Session, *, transfer_id: str, reason: str, ctx: ActContext, edges: Edges
) -> BreakGlassReview:
    """Only the reporter, under the report's purpose; anyone else's try is on record."""
    version = edges.catalog.version
    with audit.attempt(ctx, action=ACTION, policy_version=version, now=edges.now) as act:
        review = reviews.for_transfer(session, transfer_id)
        if review is None or review.org_id != ctx.org_id:
            if review is not None:
                act.owner = review.org_id
            raise NotFound("No such report.")
        act.subject_ref, act.object_id = review.subject_ref, transfer_id
        reviews.check_reporter(review, org_id=ctx.org_id, actor=ctx.actor)
        decision = own_task_decision(
            edges.catalog,
            ctx,
            purpose=review.purpose,
            action=ACTION,
            now=edges.now,
            reason="The reporter lifts the restriction towards the parents on their report.",
            subject_ref=review.subject_ref,
        )
        lifted = reviews.lift_restriction(
            session,
            review_id=review.id,
            org_id=ctx.org_id,
            by=ctx.actor,
            reason=reason,
            now=edges.now,
        )
    event = AuditEvent.of(
        ctx, action=ACTION, decision=decision, subject_ref=lifted.subject_ref, object_id=transfer_id
    )
    audit.append(session, event, now=edges.now)
    return lifted
