"""Wrapped data keys, one per subject, purpose and scope (`gateway.crypto.envelope`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base


class DataKey(Base):
    """An AES-256 data key, stored only wrapped by a key-encryption key.

    Destroying the wrapped key (crypto-shredding) makes every record sealed under it
    unreadable: that is how retention ends for encrypted data. The row stays, wrapped
    NULL and `destroyed_at` set, as the tombstone of the destruction.
    """

    __tablename__ = "data_keys"
    __table_args__ = (UniqueConstraint("subject_ref", "purpose", "scope"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(64))
    # The records that expire together under this key; "" for a key made before scopes.
    scope: Mapped[str] = mapped_column(String(80), default="", server_default="")
    kek_id: Mapped[str] = mapped_column(String(64))
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    destroyed_at: Mapped[datetime | None]
