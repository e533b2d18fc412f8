"""Access tokens: JWTs signed by the gateway, verified on every `/v1` call."""

from __future__ import annotations

import secrets
from datetime import datetime

from joserfc import jwt
from joserfc.errors import JoseError

from gateway.core.clock import Clock
from gateway.core.context import Principal
from gateway.core.errors import Unauthorized
from gateway.crypto.signing import SigningKeys

LEEWAY_SECONDS = 30
VERIFIED_CACHE_SIZE = 10_000


class TokenService:
    """Issues and verifies access tokens; the audience is the gateway itself."""

    def __init__(
        self, signing: SigningKeys, *, issuer: str, ttl_seconds: int, clock: Clock
    ) -> None:
        self._signing = signing
        self._issuer = issuer
        self._ttl = ttl_seconds
        self._clock = clock
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._claims = jwt.JWTClaimsRegistry(
            now=lambda: int(clock.now().timestamp()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": issuer},
            sub={"essential": True},
            exp={"essential": True},
            org={"essential": True},
            org_kind={"essential": True},
        )

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    def issue(self, principal: Principal, *, now: datetime) -> str:
        issued_at = int(now.timestamp())
        claims = {
            "iss": self._issuer,
            "aud": self._issuer,
            "sub": principal.client_id,
            "org": principal.org_id,
            "org_kind": principal.org_kind,
            "scope": " ".join(sorted(principal.scopes)),
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + self._ttl,
            "jti": secrets.token_hex(16),
        }
        return self._signing.sign_jwt(claims, typ="at+jwt")

    def verify(self, token: str) -> Principal:
        """The token's principal; a token already verified is only checked for expiry.

        A signed token cannot change, and is never revoked before it expires, so
        remembering the outcome of its signature check is exact, not an approximation.
        """
        known = self._verified.get(token)
        now = self._clock.now().timestamp()
        if known is not None and now < known[1]:
            return known[0]
        principal, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # bounded; a full reset is simpler than an LRU here
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            decoded = self._signing.decode_jwt(token)
            if decoded.header.get("typ") != "at+jwt":
                raise Unauthorized("The token is not an access token.", code="invalid_token")
            self._claims.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise Unauthorized("The access token is not valid.", code="invalid_token") from exc
        claims = decoded.claims
        principal = Principal(
            org_id=str(claims["org"]),
            org_kind=str(claims["org_kind"]),
            client_id=str(claims["sub"]),
            scopes=frozenset(str(claims.get("scope", "")).split()),
        )
        return principal, float(claims["exp"]) + LEEWAY_SECONDS
