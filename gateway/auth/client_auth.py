"""Client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523).

Three methods: `client_secret_basic`, `client_secret_post` and `private_key_jwt`.
A request that uses more than one is refused, as RFC 6749 requires.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta
from urllib.parse import unquote

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session

from gateway.orgs.models import OAuthClient, UsedAssertion
from gateway.orgs.service import verify_secret

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ["Ed25519", "ES256", "PS256", "RS256"]
MAX_ASSERTION_LIFETIME = timedelta(minutes=10)


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def _invalid_client(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, status=401)


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid_client("Malformed basic credentials.") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise _invalid_client("Malformed basic credentials.")
    return unquote(client_id), unquote(secret)


def authenticate(
    session: Session,
    *,
    form: dict[str, str],
    authorization: str | None,
    token_endpoint: str,
    issuer: str,
    now: datetime,
) -> OAuthClient:
    basic = _basic_credentials(authorization)
    posted = "client_secret" in form
    asserted = "client_assertion" in form
    if sum((basic is not None, posted, asserted)) != 1:
        raise OAuthError("invalid_request", "Use exactly one client authentication method.")
    if asserted:
        return _by_assertion(session, form, token_endpoint, issuer, now)
    client_id, secret = basic if basic else (form.get("client_id", ""), form["client_secret"])
    client = session.get(OAuthClient, client_id)
    if client is None or client.disabled_at is not None or client.secret_hash is None:
        raise _invalid_client("Client authentication failed.")
    if not verify_secret(secret, client.secret_hash):
        raise _invalid_client("Client authentication failed.")
    return client


def _by_assertion(
    session: Session, form: dict[str, str], token_endpoint: str, issuer: str, now: datetime
) -> OAuthClient:
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise OAuthError("invalid_request", "Unsupported client_assertion_type.")
    assertion = form["client_assertion"]
    client_id = form.get("client_id") or _claimed_subject(assertion)
    client = session.get(OAuthClient, client_id) if client_id else None
    if client is None or client.disabled_at is not None or not client.jwks:
        raise _invalid_client("Client authentication failed.")
    try:
        keys = KeySet.import_key_set(client.jwks)  # type: ignore[arg-type]
        token = jwt.decode(assertion, keys, algorithms=ASSERTION_ALGORITHMS)
        jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            iss={"essential": True, "value": client.client_id},
            sub={"essential": True, "value": client.client_id},
            aud={"essential": True, "values": [token_endpoint, issuer]},
            exp={"essential": True},
            jti={"essential": True},
        ).validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise _invalid_client("Client authentication failed.") from exc
    expires_at = datetime.fromtimestamp(int(token.claims["exp"]), tz=now.tzinfo)
    if expires_at - now > MAX_ASSERTION_LIFETIME:
        raise _invalid_client("The client assertion lives too long.")
    _remember_assertion(session, client.client_id, str(token.claims["jti"]), expires_at)
    return client


def _claimed_subject(assertion: str) -> str | None:
    """Reads `sub` before verification, only to find whose keys to verify with."""
    try:
        payload = jws.extract_compact(assertion.encode()).payload
        claims = json.loads(payload)
    except (JoseError, ValueError):
        return None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return subject if isinstance(subject, str) else None


def _remember_assertion(session: Session, client_id: str, jti: str, expires_at: datetime) -> None:
    key = f"{client_id}:{jti}"
    if session.get(UsedAssertion, key) is not None:
        raise _invalid_client("The client assertion was already used.")
    session.add(UsedAssertion(jti=key, client_id=client_id, expires_at=expires_at))
    session.flush()
