"""Logging in with OpenID Connect: code + PKCE, state and nonce, the BSN claim."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from gateway.core.settings import Settings
from gateway.web.dev_idp import IDP_DIR, DevIdp
from gateway.web.oidc import LoginUnavailable, PortalLogin
from tests.support.gateway import Gateway
from tests.support.idp import DEMO_PASSWORD, PARENT, login, portal_settings

CALLBACK = "http://127.0.0.1/portaal/login/callback"


def authorization_response(
    client: TestClient, account: tuple[str, str]
) -> tuple[str, dict[str, str]]:
    """The real IdP's redirect back to the portal, not yet delivered: its path and query.

    The browser's part of the login done with plain HTTP, stopping where the browser
    would hand the code, state and `iss` to the gateway's callback.
    """
    start = client.get("/portaal/inloggen", follow_redirects=False)
    location = start.headers["location"]
    with httpx2.Client(timeout=10) as browser:
        page = browser.get(location, follow_redirects=True)
        form = {"login": account[0], "password": DEMO_PASSWORD}
        answer = browser.post(f"{page.url}/login", data=form)
        location = urljoin(str(answer.url), answer.headers["location"])
        while not location.startswith(CALLBACK):
            answer = browser.get(location)
            location = urljoin(str(answer.url), answer.headers["location"])
    leaving = urlsplit(location)
    return leaving.path, {key: values[0] for key, values in parse_qs(leaving.query).items()}


def logged_in(client: TestClient) -> bool:
    return client.get("/portaal/kinderen", follow_redirects=False).status_code == 200


def test_the_login_asks_for_a_code_with_pkce_s256_state_and_nonce(portal: Gateway) -> None:
    start = portal.client.get("/portaal/inloggen", follow_redirects=False)
    assert start.status_code == 302
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [CALLBACK]


def test_a_callback_with_a_state_this_session_did_not_start_is_refused(portal: Gateway) -> None:
    portal.client.get("/portaal/inloggen", follow_redirects=False)
    forged = portal.client.get(
        "/portaal/login/callback", params={"code": "stolen", "state": "forged"}
    )
    assert forged.status_code == 400
    assert "Inloggen is niet gelukt" in forged.text
    assert portal.client.get("/portaal/kinderen", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("iss", ["https://evil.example", "", None])
def test_an_authorization_response_without_the_providers_iss_is_refused(
    portal: Gateway, dev_idp: DevIdp, iss: str | None
) -> None:
    """RFC 9207: a real code and state, but the response names another issuer or none.

    The provider announces `authorization_response_iss_parameter_supported`, so a
    response without `iss` may be a mix-up too.
    """
    path, query = authorization_response(portal.client, PARENT)
    assert query["iss"] == dev_idp.issuer
    mixed_up = {key: value for key, value in query.items() if key != "iss"}
    if iss is not None:
        mixed_up["iss"] = iss
    refused = portal.client.get(path, params=mixed_up, follow_redirects=False)
    assert refused.status_code == 400
    assert "Inloggen is niet gelukt" in refused.text
    assert not logged_in(portal.client)
    # The same response as the provider sent it logs in: only the `iss` was wrong.
    accepted = portal.client.get(path, params=query, follow_redirects=False)
    assert (accepted.status_code, accepted.headers["location"]) == (303, "/portaal/kinderen")
    assert logged_in(portal.client)


def test_a_parent_logs_in_and_out(portal: Gateway) -> None:
    answer = login(portal.client, PARENT)
    assert (answer.status_code, answer.headers["location"]) == (303, "/portaal/kinderen")
    page = portal.client.get("/portaal/kinderen")
    assert "Ingelogd met BSN *****0019" in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    out = portal.client.post("/portaal/uitloggen", data={"csrf_token": token})
    assert "U bent uitgelogd" in out.text
    assert portal.client.get("/portaal/kinderen", follow_redirects=False).status_code == 303


def test_a_wrong_password_logs_nobody_in(portal: Gateway) -> None:
    refused = login(portal.client, PARENT, password="raden")
    assert "verkeerd wachtwoord" in refused.text
    assert portal.client.get("/portaal/kinderen", follow_redirects=False).status_code == 303


def test_a_claim_that_carries_no_valid_bsn_is_refused(
    database_url: str, tmp_path: Path, dev_idp: DevIdp
) -> None:
    portal = Gateway(
        database_url,
        tmp_path / "var",
        issuer="http://127.0.0.1",
        oidc_bsn_claim="name",
        **portal_settings(dev_idp),
    )
    try:
        refused = login(portal.client, PARENT)
        assert refused.status_code == 400
        assert "geen geldig burgerservicenummer" in refused.text
    finally:
        portal.close()


def test_production_refuses_the_development_idp(dev_idp: DevIdp) -> None:
    with pytest.raises(ValidationError, match="production mode refuses"):
        Settings(environment="production", **portal_settings(dev_idp))
    # Even behind https, the provider's own marker gives it away.
    settings = Settings(**portal_settings(dev_idp)).model_copy(update={"environment": "production"})
    with pytest.raises(LoginUnavailable) as refused:
        asyncio.run(PortalLogin(settings).ready())
    assert refused.value.code == "dev_idp_refused"


def test_the_dev_idp_refuses_to_start_in_production(tmp_path: Path) -> None:
    clients = tmp_path / "clients.json"
    clients.write_text("[]")
    result = subprocess.run(
        [shutil.which("node") or "node", str(IDP_DIR / "server.mjs"), "--clients", str(clients)],
        env={**os.environ, "GATEWAY_ENVIRONMENT": "production"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Ontwikkel-IdP — niet voor productie: weigert te starten" in result.stderr
