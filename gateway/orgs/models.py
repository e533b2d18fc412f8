from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    brin: Mapped[str | None] = mapped_column(String(8))
    region: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    # Art. 30(1)(a) of the organisation's own register: how to reach the controller and
    # its functionaris gegevensbescherming (work contact details, never a pupil's).
    contact: Mapped[str | None] = mapped_column(String(300), default=None)
    privacy_officer: Mapped[str | None] = mapped_column(String(300), default=None)


class OAuthClient(Base):
    __tablename__ = "oauth_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    # scrypt hash for client_secret_basic / client_secret_post; None for key-only clients.
    secret_hash: Mapped[str | None] = mapped_column(String(255))
    # Public keys for private_key_jwt (RFC 7523), as a JWKS document.
    jwks: Mapped[dict[str, Any] | None]
    scopes: Mapped[list[str]]
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class UsedAssertion(Base):
    """Client assertions seen, so a captured one cannot be replayed before it expires."""

    __tablename__ = "used_client_assertions"

    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
