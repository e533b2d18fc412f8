"""Portal sessions are server-side: logging out, idling and time end them for real.

Each test plays the attacker with a second client holding a copy of a session id, and
shows the copy working while the session runs, so that its refusal afterwards can only
come from the session having ended on the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select

from gateway.web.models import PortalSession
from gateway.web.session import COOKIE
from gateway.web.session_store import digest
from tests.support.gateway import Gateway
from tests.support.idp import PARENT, login
from tests.support.portal import CHILD, csrf_token, make_region

KIDS = "/portaal/kinderen"


@contextmanager
def browser_with(portal: Gateway, session_id: str) -> Iterator[TestClient]:
    """Another browser, holding a copy of a session cookie."""
    with TestClient(portal.app, cookies={COOKIE: session_id}) as client:
        yield client


def session_id(client: TestClient) -> str:
    value = client.cookies.get(COOKIE)
    assert value, "no session cookie"
    return value


def logged_in(portal: Gateway) -> str:
    make_region(portal, PARENT[1])
    answer = login(portal.client, PARENT)
    assert (answer.status_code, answer.headers["location"]) == (303, KIDS)
    return session_id(portal.client)


def assert_opens_kids(response: Response) -> None:
    assert response.status_code == 200, response.text
    assert CHILD["given_name"] in response.text


def assert_refused(response: Response) -> None:
    """Sent to the start page, with nothing of the session's data."""
    assert (response.status_code, response.headers["location"]) == (303, "/portaal/")
    assert CHILD["given_name"] not in response.text


def stored(portal: Gateway, session_id: str) -> bool:
    with portal.services.db.sessions() as db:
        return db.get(PortalSession, digest(session_id)) is not None


def test_a_cookie_copied_before_logout_opens_nothing_after_it(portal: Gateway) -> None:
    copied = logged_in(portal)
    with browser_with(portal, copied) as thief:
        assert_opens_kids(thief.get(KIDS))
        page = portal.client.get(KIDS)
        form = {"csrf_token": csrf_token(page.text)}
        out = portal.client.post("/portaal/uitloggen", data=form, follow_redirects=False)
        assert out.status_code == 303
        assert not stored(portal, copied)

        assert_refused(thief.get(KIDS, follow_redirects=False))
    assert "U bent uitgelogd" in portal.client.get(out.headers["location"]).text
    assert_refused(portal.client.get(KIDS, follow_redirects=False))


def test_a_session_idle_for_the_idle_time_has_ended(portal: Gateway) -> None:
    copied = logged_in(portal)
    idle = timedelta(seconds=portal.settings.session_idle_seconds)
    with browser_with(portal, copied) as thief:
        for _ in range(3):  # each request starts the idle time again
            portal.clock.advance(idle - timedelta(seconds=1))
            assert_opens_kids(thief.get(KIDS))

        portal.clock.advance(idle)
        assert_refused(thief.get(KIDS, follow_redirects=False))
    assert_refused(portal.client.get(KIDS, follow_redirects=False))


def test_a_session_ends_at_its_maximum_age_however_active(portal: Gateway) -> None:
    copied = logged_in(portal)
    settings = portal.settings
    step = timedelta(seconds=settings.session_idle_seconds - 1)
    left = timedelta(seconds=settings.session_max_seconds)
    with browser_with(portal, copied) as thief:
        while left > step:
            portal.clock.advance(step)
            left -= step
            assert_opens_kids(thief.get(KIDS))

        portal.clock.advance(left)
        assert_refused(thief.get(KIDS, follow_redirects=False))
    assert_refused(portal.client.get(KIDS, follow_redirects=False))


def test_a_session_id_from_before_the_login_is_worthless_after_it(portal: Gateway) -> None:
    make_region(portal, PARENT[1])
    with TestClient(portal.app) as attacker:
        # The attacker starts a login, and plants its session id in the parent's browser.
        attacker.get("/portaal/inloggen", follow_redirects=False)
        planted = session_id(attacker)
        portal.client.get("/portaal/inloggen", follow_redirects=False)
        jar = next(c for c in portal.client.cookies.jar if c.name == COOKIE)
        portal.client.cookies.set(COOKIE, planted, domain=jar.domain, path=jar.path)

        assert login(portal.client, PARENT).headers["location"] == KIDS
        assert_opens_kids(portal.client.get(KIDS))
        assert session_id(portal.client) != planted

        assert_refused(attacker.get(KIDS, follow_redirects=False))
    assert not stored(portal, planted)


def test_sessions_that_ended_by_themselves_are_purged_when_a_new_one_begins(
    portal: Gateway,
) -> None:
    forgotten = logged_in(portal)
    portal.clock.advance(timedelta(seconds=portal.settings.session_idle_seconds))
    assert stored(portal, forgotten)

    with TestClient(portal.app) as someone:
        someone.get("/portaal/inloggen", follow_redirects=False)
        assert stored(portal, session_id(someone))
    assert not stored(portal, forgotten)


def test_the_table_holds_neither_the_cookies_id_nor_the_bsn(portal: Gateway) -> None:
    cookie = logged_in(portal)
    assert_opens_kids(portal.client.get(KIDS))
    with portal.services.db.sessions() as db:
        rows = [row.id_hash + json.dumps(row.data) for row in db.scalars(select(PortalSession))]
    assert len(rows) == 1
    for value in (cookie, PARENT[1], CHILD["bsn"]):
        assert value not in rows[0]


def test_after_an_expired_session_the_same_browser_logs_in_afresh(portal: Gateway) -> None:
    expired = logged_in(portal)
    portal.clock.advance(timedelta(seconds=portal.settings.session_idle_seconds))

    assert login(portal.client, PARENT).headers["location"] == KIDS
    assert_opens_kids(portal.client.get(KIDS))
    assert session_id(portal.client) != expired
    assert not stored(portal, expired)
