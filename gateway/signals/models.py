"""The verwijsindex: signals, the parents' pseudonyms, matches, notifications, volumes.

Nothing here holds a BSN, a reason or content. A child and its parents are keyed
pseudonyms under the verwijsindex key (`gateway.crypto.signal_index`); the reporter's
contact details and a reason for not informing are sealed under the reporting
organisation's data key for their purpose. `destroy_on` is the child's 23rd birthday,
the one date the law needs (Jeugdwet art. 7.1.4.5).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base


class Signal(Base):
    __tablename__ = "vi_signals"
    __table_args__ = (
        # Matching: the active signals of one child, read on every registration.
        Index("ix_vi_signals_child_status", "child_key", "status"),
        # The reporter's own list, and the sweep's expiry and destruction scans. No index
        # leads with `status` alone: a planner without statistics would walk a million
        # active signals by it instead of looking one child up.
        Index("ix_vi_signals_org_status", "org_id", "status", "created_at"),
        Index("ix_vi_signals_expires_at", "expires_at"),
        Index("ix_vi_signals_archive_until", "archive_until"),
        Index("ix_vi_signals_destroy_on", "destroy_on"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    child_key: Mapped[str] = mapped_column(String(64))
    # active | archived (an unjustified signal is deleted, not archived)
    status: Mapped[str] = mapped_column(String(16))
    # The person responsible: the organisation's opaque id for them (X-Actor).
    responsible: Mapped[str] = mapped_column(String(128))
    contact: Mapped[bytes] = mapped_column(LargeBinary)
    destroy_on: Mapped[date]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]
    # risk_gone | expired
    archive_reason: Mapped[str | None] = mapped_column(String(16))
    archive_until: Mapped[datetime | None]
    # Who was told (parents | youth | both), or not_told with a sealed reason; None: missing.
    informed: Mapped[str | None] = mapped_column(String(16))
    informed_on: Mapped[date | None]
    not_told_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    reminded_at: Mapped[datetime | None]


class SignalParent(Base):
    """A parent named for the household match, as the index's pseudonym."""

    __tablename__ = "vi_signal_parents"
    __table_args__ = (Index("ix_vi_signal_parents_parent", "parent_key"),)

    signal_id: Mapped[str] = mapped_column(ForeignKey("vi_signals.id"), primary_key=True)
    parent_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class SignalMatch(Base):
    """Two organisations' signals on one child (or one household); its id is the
    transaction id both sides' audit entries carry."""

    __tablename__ = "vi_matches"
    __table_args__ = (
        UniqueConstraint("signal_id", "other_id"),
        Index("ix_vi_matches_other", "other_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The newer signal, whose registration made the match, and the one it found.
    signal_id: Mapped[str] = mapped_column(ForeignKey("vi_signals.id"))
    other_id: Mapped[str] = mapped_column(ForeignKey("vi_signals.id"))
    # child | household
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    regie_org: Mapped[str | None] = mapped_column(String(40))
    regie_person: Mapped[str | None] = mapped_column(String(128))
    regie_at: Mapped[datetime | None]


class SignalNotification(Base):
    """A message to an organisation: a new match, or a reminder to inform."""

    __tablename__ = "vi_notifications"
    __table_args__ = (Index("ix_vi_notifications_org", "org_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    # match | inform_reminder
    kind: Mapped[str] = mapped_column(String(20))
    signal_id: Mapped[str] = mapped_column(ForeignKey("vi_signals.id"))
    match_id: Mapped[str | None] = mapped_column(ForeignKey("vi_matches.id"))
    created_at: Mapped[datetime]


class SignalVolume(Base):
    """How many signals an organisation registered in the current window."""

    __tablename__ = "vi_volumes"

    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    window_start: Mapped[datetime]
    count: Mapped[int]
    alerted: Mapped[bool] = mapped_column(default=False)
