"""The privacy officer's review list: every break-glass use is looked at afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from gateway.core.db import Base
from gateway.core.errors import Conflict, NotFound


class BreakGlassReview(Base):
    __tablename__ = "break_glass_reviews"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(40))
    subject_ref: Mapped[str] = mapped_column(String(64))
    # The reasons stay sealed with the transfer; the review points at it.
    parents_told: Mapped[bool]
    created_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    verdict: Mapped[str | None] = mapped_column(String(16))


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
) -> BreakGlassReview:
    review = BreakGlassReview(
        id="bg_" + secrets.token_hex(10),
        org_id=org_id,
        actor=actor,
        purpose=purpose,
        object_id=object_id,
        subject_ref=subject_ref,
        parents_told=parents_told,
        created_at=now,
        reviewed_at=None,
        reviewed_by=None,
        verdict=None,
    )
    session.add(review)
    return review


def pending(session: Session, *, org_id: str) -> Sequence[BreakGlassReview]:
    query = select(BreakGlassReview).where(
        BreakGlassReview.org_id == org_id, BreakGlassReview.reviewed_at.is_(None)
    )
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
