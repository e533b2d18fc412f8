"""A correction or erasure request (AVG art. 16, 17), and the reminders about its term."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base


class RightsRequest(Base):
    """Filed in the portal by a parent or the pupil, answered by one controller.

    The request's words (what is wrong, what it should be) are sealed under the pupil's
    data key for `SEALING_PURPOSE`; the rest is what the term and the list need.
    """

    __tablename__ = "rights_requests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(64), index=True)
    # The controller that answers: one organisation holding the pupil's data.
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    right: Mapped[str] = mapped_column(String(32))
    requester_ref: Mapped[str] = mapped_column(String(64))
    requester_role: Mapped[str] = mapped_column(String(16))
    text: Mapped[bytes] = mapped_column(LargeBinary)
    received_on: Mapped[date]
    # One calendar month after receipt; with an extension, up to two months more.
    deadline: Mapped[date] = mapped_column(index=True)
    extended: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16))
    ground: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[bytes | None] = mapped_column(LargeBinary)
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RightsReminder(Base):
    """One reminder about one request at one stage of one deadline: sent once."""

    __tablename__ = "rights_reminders"

    request_id: Mapped[str] = mapped_column(ForeignKey("rights_requests.id"), primary_key=True)
    # `soon` (7 days before) or `overdue`, of the deadline then in force.
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    deadline: Mapped[date] = mapped_column(primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime]
