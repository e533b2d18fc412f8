"""The development identity provider (deploy/dev-idp, npm `oidc-provider`) as a real process.

Started on 127.0.0.1 with a random port, exactly as `gateway serve --demo` starts it;
the gateway is registered as its client with the redirect URI a test needs. Logging in
through it is real OpenID Connect: the authorization request, the IdP's login form, the
code exchange, the signed ID token.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx2
from fastapi.testclient import TestClient
from httpx2 import Response

from gateway.web import dev_idp
from gateway.web.dev_idp import DevIdp

PARENT = ("ouder1", "999990019")
PUPIL_16 = ("leerling16", "999990044")
PUPIL_13 = ("leerling13", "999990056")
# The demo FG of Da Vinci College, and a member of staff who is no FG.
OFFICER = ("fg1", "fg-davinci-demo")
STAFF = ("medewerker1", "medewerker-demo")


def start_idp(workdir: Path, redirect_uri: str) -> DevIdp:
    """The provider as `gateway serve --demo` starts it, its log in `workdir`."""
    return dev_idp.start(workdir, redirect_uri)


def portal_settings(idp: DevIdp) -> dict[str, str]:
    """The gateway settings that make the portal log in at `idp`."""
    return {
        "oidc_issuer": idp.issuer,
        "oidc_client_id": idp.client_id,
        "oidc_client_secret": idp.client_secret,
    }


DEMO_PASSWORD = "demo"  # the dev IdP's published demo password


def login(
    client: TestClient,
    account: tuple[str, str],
    *,
    password: str = DEMO_PASSWORD,
    start_at: str = "/portaal/inloggen",
) -> Response:
    """Logs in through the real IdP: the browser's part done with plain HTTP requests.

    Returns the gateway's answer to the callback, or the IdP's page when it refused.
    """
    start = client.get(start_at, follow_redirects=False)
    assert start.status_code == 302, start.text
    parts = urlsplit(start.headers["location"])
    idp = f"{parts.scheme}://{parts.netloc}/"
    with httpx2.Client(timeout=10) as browser:
        page, leaving = _walk(browser, browser.get(start.headers["location"]), idp)
        if leaving is None:
            form = {"login": account[0], "password": password}
            page, leaving = _walk(browser, browser.post(f"{page.url}/login", data=form), idp)
    if leaving is None:
        return page
    callback = urlsplit(leaving)
    return client.get(f"{callback.path}?{callback.query}", follow_redirects=False)


def _walk(browser: httpx2.Client, response: Response, idp: str) -> tuple[Response, str | None]:
    """Follows redirects inside the IdP: the last page, or the URL that leaves it."""
    while response.is_redirect:
        location = urljoin(str(response.url), response.headers["location"])
        if not location.startswith(idp):
            return response, location
        response = browser.get(location)
    return response, None


def officer_login(client: TestClient, account: tuple[str, str] = OFFICER) -> Response:
    """Logs in at the FG's pages: the same provider, the login started as an FG's."""
    return login(client, account, start_at="/portaal/fg/inloggen")
