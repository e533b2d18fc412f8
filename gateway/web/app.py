"""The parents' portal as its own small application, mounted at /portaal by gateway.main.

Its own middleware stays with it: the session cookie (scoped to /portaal; the session
itself is server-side, loaded by a dependency every page shares), the security headers
(outermost, so even an unexpected error leaves with them), and exception handlers that
answer in Dutch pages instead of problem+json.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp

from gateway.crypto.session import SessionSecret
from gateway.deps import Services
from gateway.web import (
    case_words,
    cases,
    consent_pages,
    errors,
    inzage,
    login,
    pages,
    voice,
    wording,
)
from gateway.web.deps import Portal, SessionOpened
from gateway.web.fg import pages as fg_pages
from gateway.web.fg import requests_page as fg_requests
from gateway.web.oidc import PortalLogin
from gateway.web.security import SecurityHeadersMiddleware
from gateway.web.session import SessionCookie

HERE = Path(__file__).resolve().parent
MOUNT = "/portaal"
RELATIONS = {
    "parent": "ouder met gezag",
    "guardian": "voogd",
    "parent_without_gezag": "ouder zonder gezag",
    "pupil": "de leerling zelf",
}


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        day=wording.day,
        counted=wording.counted,
        moment=wording.moment,
        purpose=wording.purpose,
        category=wording.category,
        relation_label=lambda relation: RELATIONS.get(relation, relation),
        age_words=wording,
        case_kind=case_words.kind,
        v_of=voice.of,
    )
    templates.env.filters["first_upper"] = wording.first_upper
    return templates


def create_portal(services: Services) -> ASGIApp:
    settings = services.settings
    development = settings.environment == "development"
    secret = SessionSecret.load(
        settings.session_secret.get_secret_value(), settings.keys_dir, development=development
    )
    portal = Portal(services, _templates(), secret, PortalLogin(settings))
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, dependencies=[SessionOpened])
    app.state.services = services
    app.state.portal = portal
    errors.install(app, portal)
    routers = (
        login.router,
        pages.router,
        consent_pages.router,
        cases.router,
        fg_pages.router,
        fg_requests.router,
        inzage.router,
    )
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(
        SessionCookie,
        path=MOUNT,
        max_age=settings.session_idle_seconds,
        secure=not settings.local_http,
    )
    return SecurityHeadersMiddleware(app, hsts=not development)
