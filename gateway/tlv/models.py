from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base


class Tlv(Base):
    """The SWV's procedure from one TLV request to its decision.

    It ties together what travels as transfers (the request, the experts' advice, the
    decision) and holds only what the procedure itself decides: never the request's or
    the advice's content, which stay sealed in their transfers.
    """

    __tablename__ = "tlvs"
    # Herbeoordeling reads an SWV's decided TLVs by end date; the purge by expiry.
    __table_args__ = (
        Index("ix_tlvs_swv_valid_until", "swv_org_id", "valid_until", "id"),
        Index("ix_tlvs_expires_on", "expires_on"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    swv_org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    school_org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    # One procedure per request: a second one on the same request would split its advice.
    request_transfer_id: Mapped[str] = mapped_column(ForeignKey("transfers.id"), unique=True)
    subject_ref: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(20))
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    decided_on: Mapped[date | None]
    objection_until: Mapped[date | None]
    decision_transfer_id: Mapped[str | None] = mapped_column(ForeignKey("transfers.id"))
    # The catalog's retention class of the procedure's current stage and the first day
    # the record is past it (`gateway.tlv.retention`); None where the class has no
    # fixed term, and then the purge leaves the record alone.
    retention: Mapped[str | None] = mapped_column(String(40))
    expires_on: Mapped[date | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TlvAdvice(Base):
    """That an expert of a discipline advised on the TLV; the advice is in its transfer."""

    __tablename__ = "tlv_advices"
    __table_args__ = (UniqueConstraint("tlv_id", "transfer_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tlv_id: Mapped[str] = mapped_column(ForeignKey("tlvs.id"), index=True)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("transfers.id"))
    discipline: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
