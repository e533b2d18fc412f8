"""The token endpoint, RFC 8414 metadata and the JWKS."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from gateway.auth.client_auth import ASSERTION_ALGORITHMS, OAuthError, authenticate
from gateway.core.context import Principal
from gateway.core.openapi import COMPONENT_SCHEMAS
from gateway.core.routing import OneTripRoute
from gateway.deps import Services, SettingsDep
from gateway.orgs.models import Organisation
from gateway.orgs.scopes import SCOPES

router = APIRouter(tags=["auth"], route_class=OneTripRoute)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


# For the description only: `token` reads the form itself, to refuse a repeated
# parameter (RFC 6749 §3.2) that a parsed form would silently drop.
class TokenForm(BaseModel):
    """The form of a token request (RFC 6749 §4.4; RFC 7523 for private_key_jwt)."""

    grant_type: Literal["client_credentials"]
    scope: str | None = Field(default=None, description="Space-separated; default: all granted.")
    client_assertion_type: (
        Literal["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"] | None
    ) = Field(default=None, description="private_key_jwt")
    client_assertion: str | None = Field(
        default=None, description="private_key_jwt: a JWT signed with the client's key."
    )
    client_id: str | None = Field(default=None, description="client_secret_post")
    client_secret: str | None = Field(default=None, description="client_secret_post")


class TokenOut(BaseModel):
    access_token: str = Field(description="A signed JWT naming the organisation.")
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str


class OAuthErrorOut(BaseModel):
    """RFC 6749 §5.2: the token endpoint answers in OAuth's own error format."""

    error: str
    error_description: str


OPENAPI_TOKEN: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": TokenForm.model_json_schema(ref_template=COMPONENT_SCHEMAS)
            }
        },
    }
}
TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": TokenOut},
    400: {"model": OAuthErrorOut, "description": "invalid_request, unsupported_grant_type, …"},
    401: {"model": OAuthErrorOut, "description": "invalid_client"},
}


def _oauth_error(exc: OAuthError) -> JSONResponse:
    headers = dict(NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="gateway"'
    body = {"error": exc.error, "error_description": exc.description}
    return JSONResponse(body, status_code=exc.status, headers=headers)


@router.post(
    "/oauth/token",
    summary="OAuth 2.0 client credentials grant (RFC 6749 §4.4)",
    description="Client authentication: client_secret_basic (HTTP Basic), client_secret_post "
    "(client_id and client_secret in the form) or private_key_jwt (RFC 7523).",
    openapi_extra=OPENAPI_TOKEN,
    responses=TOKEN_RESPONSES,
)
async def token(request: Request) -> JSONResponse:
    if request.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
        return _oauth_error(OAuthError("invalid_request", "Send the form url-encoded."))
    raw = (await request.body()).decode("utf-8", errors="replace")
    pairs = parse_qsl(raw, keep_blank_values=True)
    form = dict(pairs)
    if len(form) != len(pairs):
        return _oauth_error(OAuthError("invalid_request", "A parameter was repeated."))
    services: Services = request.app.state.services
    try:
        body = await run_in_threadpool(_issue, services, form, request.headers.get("authorization"))
    except OAuthError as exc:
        return _oauth_error(exc)
    return JSONResponse(body, headers=NO_STORE)


def _issue(services: Services, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
    if form.get("grant_type") != "client_credentials":
        raise OAuthError("unsupported_grant_type", "Only client_credentials is supported.")
    settings = services.settings
    now = services.clock.now()
    try:
        with services.db.sessions() as session, session.begin():
            client = authenticate(
                session,
                form=form,
                authorization=authorization,
                token_endpoint=settings.token_endpoint,
                issuer=settings.issuer,
                now=now,
            )
            org = session.get(Organisation, client.org_id)
    except IntegrityError as exc:  # the same assertion raced itself
        raise OAuthError("invalid_client", "The client assertion was already used.", 401) from exc
    if org is None:
        raise OAuthError("invalid_client", "Client authentication failed.", 401)
    requested = set(form.get("scope", "").split()) or set(client.scopes)
    if not requested <= set(client.scopes):
        raise OAuthError("invalid_scope", "A requested scope is not granted to this client.")
    principal = Principal(org.id, org.kind, client.client_id, frozenset(requested))
    return {
        "access_token": services.tokens.issue(principal, now=now),
        "token_type": "Bearer",
        "expires_in": services.tokens.ttl_seconds,
        "scope": " ".join(sorted(requested)),
    }


@router.get("/.well-known/oauth-authorization-server", summary="RFC 8414 metadata")
def metadata(settings: SettingsDep) -> dict[str, Any]:
    issuer = settings.issuer.rstrip("/")
    return {
        # The very string the tokens carry as `iss` (RFC 8414 §3.3: identical).
        "issuer": settings.issuer,
        "token_endpoint": settings.token_endpoint,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
        ],
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "scopes_supported": sorted(SCOPES),
        "response_types_supported": [],
    }


@router.get("/.well-known/jwks.json", summary="The gateway's public signing keys")
def jwks(request: Request) -> dict[str, Any]:
    services: Services = request.app.state.services
    return services.keyring.signing.jwks()
