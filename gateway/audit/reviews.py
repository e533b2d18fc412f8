"""The privacy officer's review list: every break-glass use is looked at afterwards.

A report the parents were not told of (telling them was unsafe) is also restricted
towards them (AVG art. 23, UAVG art. 41): nothing about it shows in what the parents
see until the reporter or the organisation's privacy officer lifts the restriction,
an explicit act that is logged and shown on the review.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, String, and_, not_, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Mapped, Session, mapped_column

from gateway.core.db import Base
from gateway.core.errors import Conflict, Forbidden, NotFound


class BreakGlassReview(Base):
    __tablename__ = "break_glass_reviews"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(40))
    subject_ref: Mapped[str] = mapped_column(String(64), index=True)
    # The reasons stay sealed with the transfer; the review points at it.
    parents_told: Mapped[bool]
    # The meldcode steps skipped (by code); why stays sealed with the transfer too.
    skipped_steps: Mapped[list[str]] = mapped_column(server_default=text("'[]'"))
    created_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    verdict: Mapped[str | None] = mapped_column(String(16))
    # Lifting the restriction towards the parents: who, when, why (`LiftIn.reason`).
    restriction_lifted_at: Mapped[datetime | None]
    restriction_lifted_by: Mapped[str | None] = mapped_column(String(128))
    restriction_lift_reason: Mapped[str | None] = mapped_column(String(32))

    @property
    def restricted(self) -> bool:
        """Hidden from the parents: they were not told, and no one has lifted it yet."""
        return not self.parents_told and self.restriction_lifted_at is None


def open_review(
    session: Session,
    *,
    org_id: str,
    actor: str,
    purpose: str,
    object_id: str,
    subject_ref: str,
    parents_told: bool,
    now: datetime,
    skipped_steps: list[str] | None = None,
) -> BreakGlassReview:
    review = BreakGlassReview(
        id="bg_" + secrets.token_hex(10),
        org_id=org_id,
        actor=actor,
        purpose=purpose,
        object_id=object_id,
        subject_ref=subject_ref,
        parents_told=parents_told,
        skipped_steps=skipped_steps or [],
        created_at=now,
        reviewed_at=None,
        reviewed_by=None,
        verdict=None,
    )
    session.add(review)
    return review


def pending(session: Session, *, org_id: str, state: str = "open") -> Sequence[BreakGlassReview]:
    """`open`: still to be reviewed; `restricted`: still hidden from the parents; `all`."""
    query = select(BreakGlassReview).where(BreakGlassReview.org_id == org_id)
    if state == "open":
        query = query.where(BreakGlassReview.reviewed_at.is_(None))
    elif state == "restricted":
        query = query.where(_restricted(BreakGlassReview))
    return session.scalars(query.order_by(BreakGlassReview.created_at)).all()


def find(session: Session, review_id: str) -> BreakGlassReview | None:
    """The review by id, whoever asks: for recording an attempt on it, never to return."""
    return session.get(BreakGlassReview, review_id)


def close_review(
    session: Session, *, review_id: str, org_id: str, reviewer: str, verdict: str, now: datetime
) -> BreakGlassReview:
    review = session.get(BreakGlassReview, review_id)
    if review is None or review.org_id != org_id:
        raise NotFound("No such review.")
    if review.reviewed_at is not None:
        raise Conflict("This use was reviewed already.", code="already_reviewed")
    review.reviewed_at, review.reviewed_by, review.verdict = now, reviewer, verdict
    return review


def for_transfer(session: Session, transfer_id: str) -> BreakGlassReview | None:
    query = select(BreakGlassReview).where(BreakGlassReview.object_id == transfer_id)
    return session.scalars(query).first()


def check_reporter(review: BreakGlassReview, *, org_id: str, actor: str) -> None:
    """Only the person who reported (or the privacy officer, elsewhere) lifts it."""
    if review.org_id != org_id:
        raise NotFound("No such report.")
    if review.actor != actor:
        raise Forbidden(
            "Only the reporter or the privacy officer lifts this restriction.",
            code="not_reporter",
        )


def lift_restriction(
    session: Session, *, review_id: str, org_id: str, by: str, reason: str, now: datetime
) -> BreakGlassReview:
    """The parents may now see the report: an explicit act, kept on the review."""
    review = session.get(BreakGlassReview, review_id)
    if review is None or review.org_id != org_id:
        raise NotFound("No such review.")
    if not review.restricted:
        raise Conflict("This report is not restricted.", code="not_restricted")
    review.restriction_lifted_at, review.restriction_lifted_by = now, by
    review.restriction_lift_reason = reason
    return review


def _restricted(review: type[BreakGlassReview]) -> ColumnElement[bool]:
    return and_(review.parents_told.is_(False), review.restriction_lifted_at.is_(None))


def hidden_from_parents(
    subject_ref: str,
    object_id: InstrumentedAttribute[str | None],
    purpose: InstrumentedAttribute[str],
    break_glass_purposes: frozenset[str],
) -> ColumnElement[bool]:
    """What the parents do not see of the pupil's log, as a SQL condition on its entries.

    An entry on a restricted report or on its review is hidden. An entry under a
    break-glass purpose is shown only when it belongs to a report the parents may know
    of: a refused attempt, or a fact restated on the way, belongs to none and stays
    hidden (fail closed: nothing says it was safe to tell). Filtered in the query, so
    the pages of the log stay full and nothing is missing from a count.
    """
    of_pupil = BreakGlassReview.subject_ref == subject_ref
    restricted = select(BreakGlassReview.object_id).where(of_pupil, _restricted(BreakGlassReview))
    restricted_reviews = select(BreakGlassReview.id).where(of_pupil, _restricted(BreakGlassReview))
    known = select(BreakGlassReview.object_id).where(of_pupil, not_(_restricted(BreakGlassReview)))
    on_restricted = or_(object_id.in_(restricted), object_id.in_(restricted_reviews))
    # NULL-safe: an entry without an object is never hidden by an unknown comparison.
    conditions = [and_(object_id.is_not(None), on_restricted)]
    if break_glass_purposes:
        unknown = or_(object_id.is_(None), object_id.not_in(known))
        conditions.append(and_(purpose.in_(sorted(break_glass_purposes)), unknown))
    return or_(*conditions)
