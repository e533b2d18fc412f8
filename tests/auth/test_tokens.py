"""Organisations authenticate with client credentials and get a gateway-signed JWT."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, OKPKey

from gateway.orgs import service as orgs
from tests.support.gateway import ISSUER, Gateway

TOKEN_URL = f"{ISSUER}/oauth/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def call_with(gateway: Gateway, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}", "X-Purpose": "overdracht.po_vo", "X-Actor": "a"}
    return gateway.client.get("/v1/transfers", headers=headers).status_code


def test_client_secret_basic_and_post_issue_a_verifiable_token(gateway: Gateway) -> None:
    org = gateway.make_org("school_po")
    response = gateway.client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": org.client_id,
            "client_secret": org.client_secret,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert response.headers["cache-control"] == "no-store"
    jwks = gateway.client.get("/.well-known/jwks.json").json()
    token = jwt.decode(
        body["access_token"], OKPKey.import_key(jwks["keys"][0]), algorithms=["Ed25519"]
    )
    assert token.header["kid"] == jwks["keys"][0]["kid"]
    assert token.claims["org"] == org.id
    assert call_with(gateway, body["access_token"]) == 200


def test_wrong_secret_is_invalid_client(gateway: Gateway) -> None:
    org = gateway.make_org("school_po")
    response = gateway.client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": org.client_id,
            "client_secret": "wrong",
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_scope_beyond_the_clients_is_refused(gateway: Gateway) -> None:
    org = gateway.make_org("school_po")
    response = gateway.client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": org.client_id,
            "client_secret": org.client_secret,
            "scope": "audit:read",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def _key_client(gateway: Gateway) -> tuple[str, ECKey]:
    key = ECKey.generate_key("P-256", auto_kid=True)
    with gateway.services.db.sessions() as session, session.begin():
        registered = orgs.register(
            session,
            name="key school",
            kind="school_vo",
            now=gateway.clock.now(),
            known_kinds=gateway.services.catalog.org_kinds,
            with_secret=False,
            jwks={"keys": [key.as_dict(private=False)]},
        )
    return registered.client_id, key


def _assertion(client_id: str, key: ECKey, now: int, **overrides: object) -> str:
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": TOKEN_URL,
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        **overrides,
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key, algorithms=["ES256"])


def test_private_key_jwt_authenticates_once_per_assertion(gateway: Gateway) -> None:
    client_id, key = _key_client(gateway)
    now = int(gateway.clock.now().timestamp())
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": _assertion(client_id, key, now),
    }
    first = gateway.client.post("/oauth/token", data=form)
    assert first.status_code == 200, first.text
    replay = gateway.client.post("/oauth/token", data=form)
    assert replay.status_code == 401
    wrong_aud = {**form, "client_assertion": _assertion(client_id, key, now, aud="https://x")}
    assert gateway.client.post("/oauth/token", data=wrong_aud).status_code == 401
    other_key = ECKey.generate_key("P-256", auto_kid=True)
    forged = {**form, "client_assertion": _assertion(client_id, other_key, now)}
    assert gateway.client.post("/oauth/token", data=forged).status_code == 401


def test_expired_token_is_401_even_after_it_was_accepted(gateway: Gateway) -> None:
    org = gateway.make_org("school_po")
    assert call_with(gateway, org.token) == 200
    gateway.clock.advance(timedelta(hours=1))
    assert call_with(gateway, org.token) == 401


def test_alg_none_is_401(gateway: Gateway) -> None:
    org = gateway.make_org("school_po")
    claims = gateway.keyring.signing.decode_jwt(org.token).claims
    unsigned = b64({"alg": "none", "typ": "at+jwt"}) + "." + b64(claims) + "."
    assert call_with(gateway, unsigned) == 401


def test_hs256_signed_with_the_public_key_is_401(gateway: Gateway) -> None:
    org = gateway.make_org("school_po")
    claims = gateway.keyring.signing.decode_jwt(org.token).claims
    public = json.dumps(gateway.client.get("/.well-known/jwks.json").json()["keys"][0])
    forged = jwt.encode(
        {"alg": "HS256", "typ": "at+jwt"},
        claims,
        OctKey.import_key(public.encode()),
        algorithms=["HS256"],
    )
    assert call_with(gateway, forged) == 401


@pytest.mark.parametrize(
    "claim", [{"iss": "https://evil.example"}, {"aud": "https://other.example"}]
)
def test_wrong_issuer_or_audience_is_401(gateway: Gateway, claim: dict[str, str]) -> None:
    org = gateway.make_org("school_po")
    claims = gateway.keyring.signing.decode_jwt(org.token).claims
    token = gateway.keyring.signing.sign_jwt({**claims, **claim}, typ="at+jwt")
    assert call_with(gateway, token) == 401


def test_missing_context_headers_is_400(gateway: Gateway) -> None:
    org = gateway.make_org("school_po")
    response = gateway.client.get("/v1/transfers", headers={"Authorization": f"Bearer {org.token}"})
    assert response.status_code == 400
    assert response.json()["code"] == "context_missing"


def test_metadata_names_the_token_endpoint_and_jwks(gateway: Gateway) -> None:
    meta = gateway.client.get("/.well-known/oauth-authorization-server").json()
    assert meta["issuer"] == ISSUER
    assert meta["token_endpoint"] == TOKEN_URL
    assert "private_key_jwt" in meta["token_endpoint_auth_methods_supported"]
