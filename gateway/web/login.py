"""Logging in and out of the portal.

Logging in starts a session under a new id; logging out deletes the session
server-side, so its cookie, wherever a copy of it is, opens nothing any more.
"""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from gateway.deps import SessionDep
from gateway.web import session
from gateway.web.deps import CsrfChecked, PortalDep
from gateway.web.fg import access

router = APIRouter()
log = structlog.get_logger("gateway.web")


def _callback_uri(request: Request, portal: PortalDep) -> str:
    base = portal.services.settings.issuer.rstrip("/")
    return f"{base}{request.scope.get('root_path', '')}/login/callback"


@router.get("/inloggen")
async def login(request: Request, portal: PortalDep) -> Response:
    request.session.pop(access.INTENT, None)
    return await portal.login.redirect(request, _callback_uri(request, portal))


@router.get("/fg/inloggen")
async def officer_login(request: Request, portal: PortalDep) -> Response:
    """The FG's login: the same provider and callback, completed as an officer's."""
    access.want_officer_login(request)
    return await portal.login.redirect(request, _callback_uri(request, portal))


@router.get("/login/callback")
async def callback(request: Request, portal: PortalDep, db: SessionDep) -> Response:
    if access.wants_officer(request):
        login = await portal.login.claims(request)
        officer = await access.complete_login(request, db, portal.services, login)
        log.info("portal.fg_login", officer_ref=officer.ref, org=officer.org_id)
        return RedirectResponse(f"{request.scope.get('root_path', '')}/fg/", status_code=303)
    bsn = await portal.login.bsn(request)
    person_ref = portal.services.keyring.pseudonyms.subject_ref(bsn)
    session.start(request, person_ref=person_ref, bsn=bsn, secret=portal.secret)
    log.info("portal.login", person_ref=person_ref)
    return RedirectResponse(f"{request.scope.get('root_path', '')}/kinderen", status_code=303)


@router.post("/uitloggen", dependencies=[CsrfChecked])
async def logout(request: Request) -> Response:
    session.end(request)
    session.flash(request, "U bent uitgelogd.")
    return RedirectResponse(f"{request.scope.get('root_path', '')}/", status_code=303)


@router.post("/fg/uitloggen", dependencies=[CsrfChecked])
async def officer_logout(request: Request) -> Response:
    session.end(request)
    session.flash(request, "U bent uitgelogd.")
    return RedirectResponse(f"{request.scope.get('root_path', '')}/fg/", status_code=303)
