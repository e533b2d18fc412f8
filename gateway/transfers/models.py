from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base


class Transfer(Base):
    """One dossier on its way; content, zienswijze and notes are stored sealed."""

    __tablename__ = "transfers"
    # The inbox and outbox are read newest first a page at a time: in key order from
    # these, not by sorting every transfer the organisation ever had (dossiers and all)
    # for each page, which grew with the inbox and held SQLite's write lock meanwhile.
    __table_args__ = (
        Index("ix_transfers_inbox", "recipient_org_id", "created_at", "id"),
        Index("ix_transfers_outbox", "sender_org_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(64))
    sender_org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    recipient_org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    subject_ref: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(8))
    categories: Mapped[list[str]]
    dossier: Mapped[bytes] = mapped_column(LargeBinary)
    inzage_date: Mapped[date | None]
    inzage_akkoord: Mapped[bool | None]
    zienswijze: Mapped[bytes | None] = mapped_column(LargeBinary)
    conversation_date: Mapped[date | None]
    notes: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What the sender declared with the act (informed, absence, meldcode steps and
    # reasons), sealed: the release is decided on the same facts as the send.
    context: Mapped[bytes | None] = mapped_column(LargeBinary)
    retention: Mapped[str | None] = mapped_column(String(40))
    policy_version: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
