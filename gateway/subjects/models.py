"""Pupils as the gateway knows them: a keyed pseudonym and an encrypted identity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base


class Subject(Base):
    """A pupil: the BSN and name exist here only inside `identity`, encrypted.

    The facts others rely on (birth date, names) are also kept as keyed fingerprints,
    so a statement is compared with the record without opening the identity, and with
    who stated them: an authoritative school (`authoritative`), or provisionally another
    party, whose statement the first authoritative one replaces on record.
    """

    __tablename__ = "subjects"

    subject_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    identity: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    birth_fact: Mapped[str | None] = mapped_column(String(64))
    given_fact: Mapped[str | None] = mapped_column(String(64))
    family_fact: Mapped[str | None] = mapped_column(String(64))
    stated_by: Mapped[str | None] = mapped_column(String(40))
    authoritative: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime | None]
