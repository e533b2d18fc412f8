"""The case register of the knooppunt: cases, who takes part, and each party's entries.

There is no shared master file: every entry belongs to the participant that wrote it
and keeps that party's retention class. Title and entry content are stored sealed under
the pupil's key for knooppunt.casus, like a transfer's dossier.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(64), index=True)
    # knooppunt | ot | mdo
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))
    created_by_org: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    # The organisation that holds regie: the creator, until an MDO hands it on.
    regie_org: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    policy_version: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # A knooppunt is evaluated at least once a year (DOMAIN §6): from this, or from the
    # start while it never was.
    evaluated_at: Mapped[datetime | None]


class CaseParticipant(Base):
    """An organisation at the table, with the person who acts for it (an opaque id)."""

    __tablename__ = "case_participants"
    # "My cases" is asked by organisation.
    __table_args__ = (Index("ix_case_participants_org_id", "org_id"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(64))
    person: Mapped[str] = mapped_column(String(128))
    mandate: Mapped[bool]
    added_by_org: Mapped[str] = mapped_column(String(40))
    joined_at: Mapped[datetime]
    # Set when the participant leaves: from then on it is a stranger to the case.
    left_at: Mapped[datetime | None]


class CaseEntry(Base):
    __tablename__ = "case_entries"
    __table_args__ = (Index("ix_case_entries_case", "case_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    # The organisation that wrote it, or the portal (`portaal`) for the parents' or the
    # pupil's own view; `author` is then their portal role, never who they are.
    org_id: Mapped[str] = mapped_column(String(40))
    author: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # The writer's own retention class (the catalog's `own_term` resolved per writer
    # kind), and the day the entry expires: set when the case closes, counted from that
    # day; None while the case is open (in use) or where the class has no fixed term.
    retention: Mapped[str] = mapped_column(String(40))
    expires_on: Mapped[date | None] = mapped_column(default=None, index=True)
    policy_version: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
