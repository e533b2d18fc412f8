"""The consent registry's tables: consents, their history, recipients' outbox, and gezag.

A withdrawal stamps the consent row and appends an event; a changed gezag ends the old
relation and adds a new one. Names of grantors and parents exist only sealed
(`gateway.crypto.envelope`): a consent's under its own data key (`consent_scope`), so
that it can end on its own; the gezag names under the pupil's key for "consent". Only
the retention job deletes here (`gateway.retention.consents`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.core.db import Base

# The purpose under which grantor and parent names are sealed.
SEALING_PURPOSE = "consent"


def consent_scope(consent_id: str) -> str:
    """The data key of one consent's sealed names: it expires on its own."""
    return f"consent:{consent_id}"


# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
_SERIAL = BigInteger().with_variant(Integer(), "sqlite")


class Consent(Base):
    """One specific consent: subject, purpose, recipients, categories, period, grantors."""

    __tablename__ = "consents"
    # consent_state looks up by subject and purpose on every consent-based act; the
    # renewal list by the registering organisation.
    __table_args__ = (
        Index("ix_consents_subject_ref_purpose", "subject_ref", "purpose"),
        Index("ix_consents_registered_by_org", "registered_by_org"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(String(64))
    categories: Mapped[list[str]]
    # Roles only ("parent", "guardian", "pupil"), one per grantor; names are in `sealed`.
    grantor_roles: Mapped[list[str]]
    # Keyed pseudonyms of grantors who were identified by BSN: the portal matches a
    # parent or pupil logged in through DigiD on these.
    grantor_refs: Mapped[list[str]]
    # Sealed JSON: the grantors' names and roles and the paper form's reference.
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    evidence: Mapped[str] = mapped_column(String(8))
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    # None when a parent or pupil granted it through the portal.
    registered_by_org: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    registered_by: Mapped[str] = mapped_column(String(128))
    receipt: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(128))
    withdrawn_by_org: Mapped[str | None] = mapped_column(String(40))

    recipients: Mapped[list[ConsentRecipient]] = relationship(
        lazy="raise", order_by="ConsentRecipient.org_id"
    )

    @property
    def recipient_ids(self) -> list[str]:
        return [recipient.org_id for recipient in self.recipients]


class ConsentRecipient(Base):
    """An organisation a consent names: the primary key serves consent_state's join."""

    __tablename__ = "consent_recipients"

    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)


class ConsentEvent(Base):
    """The append-only history of a consent: granted, cosigned, withdrawn."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]
    # The receipt issued with this event (a grant, the pupil's co-consent): the consent
    # carries the newest, the history keeps every earlier one verifiable.
    receipt: Mapped[str | None] = mapped_column(Text)


class ConsentNotification(Base):
    """Outbox: tells each recipient that a consent it relies on was withdrawn."""

    __tablename__ = "consent_notifications"
    __table_args__ = (
        Index("ix_consent_notifications_recipient_pending", "recipient_org_id", "delivered_at"),
    )

    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    recipient_org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class GezagRelation(Base):
    """Who holds (or, with has_gezag false, does not hold) gezag over a pupil."""

    __tablename__ = "gezag_relations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(64), index=True)
    # The keyed pseudonym of the parent's BSN, as a DigiD login is matched on.
    person_ref: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[bytes] = mapped_column(LargeBinary)
    role: Mapped[str] = mapped_column(String(16))
    has_gezag: Mapped[bool]
    registered_by_org: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
