"""The portal session: who is logged in, their CSRF token, their children's handles.

Sessions are server-side and revocable (`session_store`): the cookie carries only an
opaque random id (HttpOnly, SameSite=Lax, Secure outside plain-http development), the
session itself is a row loaded and saved in the request's own transaction. Logging out
deletes the row, so a copy of the cookie opens nothing afterwards; the idle and the
absolute timeout are checked against the row on every request; login issues a new id,
so an id known before the login is worth nothing after it. The session holds
pseudonyms and opaque handles only; the one personal value it needs (the BSN, to name
a parent as the grantor of a consent) is kept sealed with AES-GCM.

Pages use the session as `request.session`, a plain dict (authlib keeps the login's
state, nonce and PKCE verifier there too); `open_session` loads it before the page and
saves it after, and `SessionCookie` puts the cookie the outcome asks for on the response.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.core.errors import Forbidden, Unauthorized
from gateway.crypto.session import SessionSecret
from gateway.deps import Services, SessionDep
from gateway.web import session_store as store
from gateway.web.models import PortalSession
from gateway.web.wording import mask_bsn

WHO, CSRF, KIDS, FLASH, OVERVIEW = "who", "csrf", "kids", "flash", "overview"
BSN_SEAL = "portal-bsn"
CSRF_FIELD = "csrf_token"
COOKIE = "portaal_sessie"
STATE = "gateway.portal_session"


class LoginRequired(Unauthorized):
    """No (or an expired) login: the page handler sends the visitor to the start page."""


class CsrfRefused(Forbidden):
    code = "csrf_refused"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person logged in: the keyed pseudonym of their BSN is all pages see."""

    person_ref: str
    masked_bsn: str
    sealed_bsn: str = ""

    def bsn(self, secret: SessionSecret) -> str:
        return secret.open(self.sealed_bsn, purpose=BSN_SEAL)


@dataclass(slots=True)
class _State:
    """One request's session row, and the cookie its response carries."""

    row: PortalSession | None = None
    # Login and logout both leave the row behind: a new one, if any, gets a new id.
    renew: bool = False
    # The id to set, "" to clear the cookie, None to leave it alone.
    cookie: str | None = None


def start(request: Request, *, person_ref: str, bsn: str, secret: SessionSecret) -> None:
    """A fresh session at login: nothing from before the login survives it, not its id."""
    request.session.clear()
    request.session[WHO] = {
        "ref": person_ref,
        "bsn": secret.seal(bsn, purpose=BSN_SEAL),
        "mask": mask_bsn(bsn),
    }
    request.session[CSRF] = secrets.token_urlsafe(32)
    request.session[KIDS] = {}
    _state(request).renew = True


def renew(request: Request) -> None:
    """A login of another kind (the FG's): its session, too, begins under a new id."""
    _state(request).renew = True


def end(request: Request) -> None:
    """Logging out: the session's row is deleted, whoever still holds its cookie."""
    request.session.clear()
    _state(request).renew = True


def viewer(request: Request) -> Viewer | None:
    who: Any = request.session.get(WHO)
    if not isinstance(who, dict) or not isinstance(who.get("ref"), str):
        return None
    return Viewer(who["ref"], str(who.get("mask", "")), str(who.get("bsn", "")))


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF] = token
    return token


async def check_csrf(request: Request) -> None:
    """Synchronizer token: every POST form carries the token of this session."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(CSRF)
    if (
        not isinstance(sent, str)
        or not isinstance(expected, str)
        or not hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise CsrfRefused("The form is missing its CSRF token or it does not match.")


def handle_for(request: Request, subject_ref: str) -> str:
    """An opaque handle for a child, valid in this session only: URLs never name a child."""
    kids = request.session.get(KIDS)
    kids = dict(kids) if isinstance(kids, dict) else {}
    for handle, ref in kids.items():
        if ref == subject_ref:
            return str(handle)
    handle = secrets.token_urlsafe(9)
    request.session[KIDS] = {**kids, handle: subject_ref}
    return handle


def subject_for(request: Request, handle: str) -> str | None:
    kids = request.session.get(KIDS)
    if not isinstance(kids, dict):
        return None
    ref = kids.get(handle)
    return ref if isinstance(ref, str) else None


def set_overview(request: Request, title: str) -> None:
    """The overview's title as the menu names it on every page: the overview (where
    every login lands) works out whose pages these are."""
    request.session[OVERVIEW] = title


def overview(request: Request) -> str:
    title = request.session.get(OVERVIEW)
    return title if isinstance(title, str) else "Overzicht"


def flash(request: Request, message: str) -> None:
    request.session[FLASH] = message


def take_flash(request: Request) -> str | None:
    message = request.session.pop(FLASH, None)
    return message if isinstance(message, str) else None


def open_session(request: Request, db: SessionDep) -> Iterator[None]:
    """Loads the session before the page and saves it after, in the page's transaction.

    A page that fails rolls back with its session: its changes are not kept, and a
    session it found expired is refused again (and purged) later.
    """
    services: Services = request.app.state.services
    now = services.clock.now()
    lifetime = store.Lifetime.of(services.settings)
    presented = request.cookies.get(COOKIE)
    row = None
    if presented:
        row = store.load(db, session_id=presented, now=now, lifetime=lifetime)
    state = _state(request)
    state.row = row
    state.cookie = presented if row else ("" if presented else None)
    request.scope["session"] = data = dict(row.data) if row else {}
    yield
    if state.row is not None and state.renew:
        store.end(db, state.row)
        state.row = None
    if state.row is not None and data:
        store.touch(state.row, data=data, now=now)
    elif state.row is not None:
        store.end(db, state.row)
        state.cookie = ""
    elif data:
        state.cookie = store.begin(db, data=data, now=now, lifetime=lifetime)
    elif presented:
        state.cookie = ""


def _state(request: Request) -> _State:
    state = request.scope.get(STATE)
    if not isinstance(state, _State):
        raise RuntimeError("the portal session needs the SessionCookie middleware")
    return state


class SessionCookie:
    """Pure ASGI middleware: the session cookie `open_session` decided on, on the response.

    Re-sent with every response of a running session, so its Max-Age (the idle time)
    restarts with activity as the server's own idle timeout does.
    """

    def __init__(self, app: ASGIApp, *, path: str, max_age: int, secure: bool) -> None:
        self.app = app
        self._flags = f"path={path}; httponly; samesite=lax" + ("; secure" if secure else "")
        self._max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # A holder the page's dependency fills in: it survives any copy of the scope.
        state = scope[STATE] = _State()

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and state.cookie is not None:
                cookie = (b"set-cookie", self._header(state.cookie).encode("latin-1"))
                message = {**message, "headers": [*message.get("headers", []), cookie]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _header(self, session_id: str) -> str:
        if not session_id:
            return f"{COOKIE}=; {self._flags}; max-age=0; expires=Thu, 01 Jan 1970 00:00:00 GMT"
        return f"{COOKIE}={session_id}; {self._flags}; max-age={self._max_age}"
