from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base


class Subject(Base):
    """A pupil: the BSN and name exist here only inside `identity`, encrypted."""

    __tablename__ = "subjects"

    subject_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    identity: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
