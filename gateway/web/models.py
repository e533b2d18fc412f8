"""The portal's sessions, kept server-side so that logging out really ends them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.db import Base


class PortalSession(Base):
    """One portal session, found by the hash of the id its cookie carries.

    `data` holds what the pages keep between requests: the person's pseudonym, their
    sealed and masked BSN, the CSRF token, the children's handles, a flash message and
    the login's state, nonce and PKCE verifier. Never a plain BSN or a name.
    """

    __tablename__ = "portal_sessions"

    # SHA-256 of the cookie's id: a copy of this table opens no session.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]]
    # Issued anew at login, so for a logged-in session this is the login time.
    created_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime] = mapped_column(index=True)
