"""Web security of the portal: headers, CSRF, cookies, and no personal data in URLs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from gateway.transfers.models import Transfer
from gateway.web.dev_idp import DevIdp
from tests.support.gateway import Gateway
from tests.support.idp import PARENT, login, portal_settings
from tests.support.portal import CHILD, child_url, csrf_token, make_region, targets


def test_every_portal_page_carries_the_security_headers(portal: Gateway) -> None:
    for path in ("/portaal/", "/portaal/kinderen", "/portaal/bestaat-niet"):
        response = portal.client.get(path, follow_redirects=False)
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp and "unsafe-inline" not in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in response.headers  # development


def test_outside_development_hsts_is_sent(database_url: str, tmp_path: Path) -> None:
    production = Gateway(
        database_url, tmp_path / "var", environment="production", session_secret="s" * 40
    )
    try:
        response = production.client.get("/portaal/")
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    finally:
        production.close()


def test_a_post_without_the_sessions_csrf_token_is_refused_and_changes_nothing(
    portal: Gateway,
) -> None:
    region = make_region(portal, PARENT[1])
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)
    url = f"{kid}/dossier/{region.transfer_id}/inzage"
    for token in ({}, {"csrf_token": "forged"}):
        response = portal.client.post(url, data={**token, "akkoord": "ja"})
        assert response.status_code == 403
        assert "Het formulier is verlopen" in response.text
    assert portal.client.post("/portaal/uitloggen").status_code == 403
    with portal.services.db.sessions() as session:
        status = session.scalars(select(Transfer.status)).one()
    assert status == "awaiting_inzage"
    assert portal.client.get(kid).status_code == 200  # still logged in


def test_the_session_cookie_is_httponly_lax_short_lived_and_scoped(portal: Gateway) -> None:
    cookie = portal.client.get("/portaal/inloggen", follow_redirects=False).headers["set-cookie"]
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert {"httponly", "samesite=lax", "path=/portaal", "max-age=900"} <= set(flags)
    assert "secure" not in flags  # plain http on 127.0.0.1 in development only


def test_off_loopback_the_session_cookie_is_secure(
    database_url: str, tmp_path: Path, dev_idp: DevIdp
) -> None:
    remote = Gateway(
        database_url, tmp_path / "var", issuer="https://portaal.example", **portal_settings(dev_idp)
    )
    try:
        cookie = remote.client.get("/portaal/inloggen", follow_redirects=False).headers[
            "set-cookie"
        ]
        assert "secure" in [part.strip().lower() for part in cookie.split(";")]
    finally:
        remote.close()


def test_no_bsn_name_or_birth_date_in_any_url_and_the_bsn_shown_masked(portal: Gateway) -> None:
    region = make_region(portal, PARENT[1])
    answer = login(portal.client, PARENT)
    seen = [answer.headers["location"]]
    pages = []
    kid = child_url(portal.client)
    for path in ("/portaal/kinderen", kid, f"{kid}/dossier/{region.transfer_id}"):
        page = portal.client.get(path)
        assert page.status_code == 200
        pages.append(page.text)
        seen += [path, *targets(page.text)]
    personal = (CHILD["bsn"], PARENT[1], CHILD["birth_date"], "Sam", "Vries")
    assert not [url for url in seen for value in personal if value in url]
    assert all(CHILD["bsn"] not in text and PARENT[1] not in text for text in pages)
    assert "*****2333" in pages[0] and "*****0019" in pages[0]
    assert csrf_token(pages[2])
