"""The portal session: who is logged in, their CSRF token, their children's handles.

The session lives in a signed cookie (Starlette's session middleware): HttpOnly,
SameSite=Lax, Secure outside plain-http development, expiring after a short idle time
and, whatever the activity, `session_max_seconds` after login. It holds pseudonyms and
opaque handles only; the one personal value it needs (the BSN, to name a parent as the
grantor of a consent) travels sealed with AES-GCM.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from gateway.core.errors import Forbidden, Unauthorized
from gateway.crypto.session import SessionSecret
from gateway.web.wording import mask_bsn

WHO, CSRF, KIDS, FLASH, SEEN = "who", "csrf", "kids", "flash", "seen"
BSN_SEAL = "portal-bsn"
CSRF_FIELD = "csrf_token"


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


def start(request: Request, *, person_ref: str, bsn: str, secret: SessionSecret) -> None:
    """A fresh session at login: nothing from before the login survives it."""
    request.session.clear()
    request.session[WHO] = {
        "ref": person_ref,
        "bsn": secret.seal(bsn, purpose=BSN_SEAL),
        "mask": mask_bsn(bsn),
        "at": int(time.time()),
    }
    request.session[CSRF] = secrets.token_urlsafe(32)
    request.session[KIDS] = {}


def end(request: Request) -> None:
    request.session.clear()


def viewer(request: Request, *, max_seconds: int) -> Viewer | None:
    who: Any = request.session.get(WHO)
    if not isinstance(who, dict) or not isinstance(who.get("ref"), str):
        return None
    now = int(time.time())
    if now - float(who.get("at", 0)) > max_seconds:
        request.session.clear()
        return None
    # A write re-issues the cookie: the idle timeout (its Max-Age) restarts with activity.
    request.session[SEEN] = now
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
    # Assigned, not mutated in place: the session only saves what it sees being set.
    request.session[KIDS] = {**kids, handle: subject_ref}
    return handle


def subject_for(request: Request, handle: str) -> str | None:
    kids = request.session.get(KIDS)
    if not isinstance(kids, dict):
        return None
    ref = kids.get(handle)
    return ref if isinstance(ref, str) else None


def flash(request: Request, message: str) -> None:
    request.session[FLASH] = message


def take_flash(request: Request) -> str | None:
    message = request.session.pop(FLASH, None)
    return message if isinstance(message, str) else None
