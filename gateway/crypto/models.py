"""Wrapped data keys, one per subject and purpose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base


class DataKey(Base):
    """An AES-256 data key, stored only wrapped by a key-encryption key.

    Destroying the wrapped key (crypto-shredding) makes every record sealed under it
    unreadable: that is how retention ends for encrypted data.
    """

    __tablename__ = "data_keys"
    __table_args__ = (UniqueConstraint("subject_ref", "purpose"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(64))
    kek_id: Mapped[str] = mapped_column(String(64))
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    destroyed_at: Mapped[datetime | None]
