"""Registering organisations and issuing their client credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gateway.core.errors import Unprocessable
from gateway.core.fields import has_hidden_characters
from gateway.orgs.models import OAuthClient, Organisation
from gateway.orgs.scopes import SCOPES, default_scopes

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True, slots=True)
class Registered:
    org: Organisation
    client_id: str
    client_secret: str | None

    def __repr__(self) -> str:
        return f"Registered(org={self.org.id!r}, client_id={self.client_id!r})"


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_secret(secret: str, stored: str) -> bool:
    scheme, salt_b64, digest_b64 = stored.split("$")
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt_b64), **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def register(
    session: Session,
    *,
    name: str,
    kind: str,
    known_kinds: frozenset[str],
    now: datetime,
    brin: str | None = None,
    region: str = "demo",
    scopes: list[str] | None = None,
    jwks: dict[str, Any] | None = None,
    with_secret: bool = True,
    contact: str | None = None,
    privacy_officer: str | None = None,
) -> Registered:
    """Adds an organisation with one OAuth client; the secret is shown only here."""
    if kind not in known_kinds:
        raise Unprocessable(
            "The organisation kind is not in the policy catalog.", code="unknown_kind"
        )
    # Printed in registers and terminals: an escape sequence or a bidi override there
    # shows the reader something other than what is stored.
    for field, value in (
        ("name", name),
        ("contact", contact),
        ("privacy_officer", privacy_officer),
    ):
        if value is not None and has_hidden_characters(value):
            raise Unprocessable(
                f"The {field} may not hold control or formatting characters.",
                code="control_character",
            )
    granted = sorted(set(scopes)) if scopes else default_scopes(kind)
    unknown = [scope for scope in granted if scope not in SCOPES]
    if unknown:
        raise Unprocessable(f"Unknown scopes: {', '.join(unknown)}.", code="unknown_scope")
    if jwks is None and not with_secret:
        raise Unprocessable("A client needs a secret or public keys.", code="no_credentials")
    org = Organisation(
        id="org_" + secrets.token_hex(8),
        name=name,
        kind=kind,
        brin=brin,
        region=region,
        created_at=now,
        contact=contact,
        privacy_officer=privacy_officer,
    )
    secret = secrets.token_urlsafe(32) if with_secret else None
    client = OAuthClient(
        client_id="cl_" + secrets.token_hex(12),
        org_id=org.id,
        secret_hash=hash_secret(secret) if secret else None,
        jwks=jwks,
        scopes=granted,
        created_at=now,
        disabled_at=None,
    )
    session.add(org)
    session.flush()
    session.add(client)
    return Registered(org=org, client_id=client.client_id, client_secret=secret)


def get(session: Session, org_id: str) -> Organisation | None:
    return session.get(Organisation, org_id)


def list_all(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.created_at)))


def kinds(session: Session, org_ids: list[str]) -> dict[str, str]:
    """The kind of each of `org_ids` that is a registered organisation."""
    query = select(Organisation.id, Organisation.kind).where(Organisation.id.in_(org_ids))
    return {org_id: kind for org_id, kind in session.execute(query)}


_KIND = select(Organisation.kind).where(Organisation.id == bindparam("org_id"))


def kind_of(session: Session, org_id: str) -> str | None:
    """The organisation's kind, or None when no such organisation is registered."""
    kind: str | None = session.connection().execute(_KIND, {"org_id": org_id}).scalar()
    return kind
