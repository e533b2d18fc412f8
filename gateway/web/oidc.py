"""Logging people in with OpenID Connect, through authlib.

Authorization code with PKCE (S256); authlib keeps state, nonce and code verifier in the
session and validates the ID token (signature against the provider's JWKS, issuer,
audience, expiry, nonce). On top of that: the `iss` of the authorization response
(RFC 9207) must be the provider's, and the person's BSN is read from the claim the
deployment names and checked with the 11-proef before anyone is logged in.

A provider that marks itself as the development IdP is refused in production mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from fastapi import Request
from starlette.responses import Response

from gateway.core.errors import GatewayError
from gateway.core.settings import Settings
from gateway.crypto.bsn import is_valid_bsn

DEV_IDP_MARKER = "ontwikkel_idp"


class LoginFailed(GatewayError):
    status, code, title = 400, "login_failed", "Inloggen mislukt"


class LoginUnavailable(GatewayError):
    status, code, title = 503, "login_unavailable", "Inloggen niet beschikbaar"


@dataclass(frozen=True, slots=True)
class LoginClaims:
    """What a completed login asserts: the ID token's claims, the userinfo on demand."""

    id_token: dict[str, Any]
    token: dict[str, Any]
    client: Any

    async def get(self, name: str) -> Any:
        """One claim of the ID token, or of the userinfo when the token leaves it out."""
        value = self.id_token.get(name)
        if value is None and name != "sub":
            value = (await self.client.userinfo(token=self.token)).get(name)
        return value


class PortalLogin:
    def __init__(self, settings: Settings) -> None:
        self.configured = bool(settings.oidc_issuer and settings.oidc_client_id)
        self._claim = settings.oidc_bsn_claim
        self._production = settings.environment == "production"
        issuer = settings.oidc_issuer.rstrip("/")
        self._client: Any = OAuth().register(
            name="portaal",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value(),
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid", "code_challenge_method": "S256", "timeout": 10},
        )

    async def redirect(self, request: Request, redirect_uri: str) -> Response:
        """To the provider's login, with state, nonce and a PKCE challenge."""
        await self.ready()
        response: Response = await self._client.authorize_redirect(request, redirect_uri)
        return response

    async def bsn(self, request: Request) -> str:
        """The callback: exchanges the code and returns the BSN the ID token asserts."""
        login = await self.claims(request)
        value = await login.get(self._claim)
        if not isinstance(value, str) or not is_valid_bsn(value):
            raise LoginFailed("The login carries no valid BSN.", code="no_bsn")
        return value

    async def claims(self, request: Request) -> LoginClaims:
        """The callback: exchanges the code and returns the ID token's claims."""
        metadata = await self.ready()
        returned_iss = request.query_params.get("iss")
        # RFC 9207 §2.4: from a provider that announces `iss`, a response without it is refused.
        announced = metadata.get("authorization_response_iss_parameter_supported") is True
        if (returned_iss is not None or announced) and returned_iss != metadata.get("issuer"):
            raise LoginFailed("The authorization response comes from another issuer.")
        try:
            token = await self._client.authorize_access_token(request)
        except OAuthError as exc:
            raise LoginFailed(f"The login was not completed ({exc.error}).") from exc
        claims = token.get("userinfo")
        if not claims:
            raise LoginFailed("The provider returned no ID token.")
        return LoginClaims(claims, token, self._client)

    async def ready(self) -> dict[str, Any]:
        """The provider's metadata, once it is known to be one this deployment accepts."""
        if not self.configured:
            raise LoginUnavailable("No identity provider is configured for the portal.")
        try:
            metadata: dict[str, Any] = await self._client.load_server_metadata()
        except Exception as exc:  # any failure to reach the provider: no login, no trace
            raise LoginUnavailable("The identity provider cannot be reached.") from exc
        if self._production and metadata.get(DEV_IDP_MARKER):
            raise LoginUnavailable(
                "The development identity provider is refused in production mode.",
                code="dev_idp_refused",
            )
        return metadata
