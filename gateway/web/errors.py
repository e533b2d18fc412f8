"""Refusals as Dutch pages: the portal never shows a problem+json or a stack trace."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from gateway.core.errors import GatewayError
from gateway.web.deps import Portal
from gateway.web.fg.access import OfficerLoginRequired
from gateway.web.session import LoginRequired

log = structlog.get_logger("gateway.web")

PAGES: dict[int, tuple[str, str]] = {
    400: (
        "Inloggen is niet gelukt",
        "Probeer het opnieuw. Lukt het weer niet, neem dan contact op met de school.",
    ),
    # Said to whoever is logged in, parent or pupil: these texts address nobody.
    403: ("Dit kan niet", "Deze handeling is met deze inlog niet toegestaan."),
    404: ("Niet gevonden", "Deze pagina bestaat niet, of hoort niet bij deze inlog."),
    405: ("Niet gevonden", "Deze pagina bestaat niet."),
    409: ("Dit kan niet meer", "Dit is al eerder vastgelegd of kan niet meer veranderen."),
    422: ("Controleer het formulier", "Het formulier is niet volledig of niet goed ingevuld."),
    503: (
        "Inloggen is niet beschikbaar",
        "Inloggen is op dit moment niet mogelijk. Probeer het later opnieuw.",
    ),
}
BY_CODE: dict[str, tuple[str, str]] = {
    "invalid_cursor": (
        "Deze pagina bestaat niet meer",
        "Ga terug naar de vorige pagina en open de oudere regels opnieuw.",
    ),
    "csrf_refused": (
        "Het formulier is verlopen",
        "Ga terug, laad de pagina opnieuw en probeer het nog eens.",
    ),
    "no_bsn": ("Inloggen is niet gelukt", "Deze inlog levert geen geldig burgerservicenummer op."),
    "requester_not_entitled": ("Dit kan niet", "Dit is met deze inlog niet toegestaan."),
    # Only a parent meets these two. Which of the two applies is said where it is the
    # reason (`children.not_entitled_because`).
    "no_gezag": (
        "Dit kan niet",
        "Volgens de school heeft u geen gezag over dit kind. Daarom kunt u hier geen "
        "toestemming geven en geen dossiers inzien. Klopt dat niet? Vraag de school om het te "
        "verbeteren.",
    ),
    "pupil_decides": (
        "Dit kan niet",
        "Uw kind is 16 jaar of ouder. Daarom geeft uw kind nu zelf toestemming en bekijkt "
        "uw kind zelf de gegevens in dit portaal. U kunt de school wel om informatie over uw "
        "kind vragen.",
    ),
}
# The privacy officer's pages (gateway.web.fg) answer in their own words and layout.
FG_CODES: dict[str, tuple[str, str]] = {
    "not_privacy_officer": (
        "Geen toegang",
        "U bent niet bekend als functionaris gegevensbescherming (FG) van een organisatie. "
        "Vraagt u zich af waarom? Neem contact op met de beheerder van deze dienst.",
    ),
    "unknown_purpose": ("Controleer het formulier", "Dit doel bestaat niet in de regels."),
}
BY_CODE.update(FG_CODES)
FALLBACK = ("Er ging iets mis", "Probeer het later opnieuw.")


def _for_officer(request: Request, code: str | None) -> bool:
    path = request.url.path.removeprefix(request.scope.get("root_path", ""))
    return code in FG_CODES or path.startswith("/fg/")


def install(app: FastAPI, portal: Portal) -> None:
    def page(request: Request, status: int, code: str | None = None) -> Response:
        heading, message = BY_CODE.get(code or "", PAGES.get(status, FALLBACK))
        context = {"title": heading, "heading": heading, "message": message}
        template = "fg/error.html" if _for_officer(request, code) else "error.html"
        return portal.render(request, template, context, status=status)

    @app.exception_handler(OfficerLoginRequired)
    async def officer_login_required(request: Request, exc: OfficerLoginRequired) -> Response:
        return RedirectResponse(f"{request.scope.get('root_path', '')}/fg/", status_code=303)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"{request.scope.get('root_path', '')}/", status_code=303)

    @app.exception_handler(GatewayError)
    async def refused(request: Request, exc: GatewayError) -> Response:
        log.info("portal.refused", status=exc.status, code=exc.code)
        return page(request, exc.status, exc.code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        log.info("portal.refused", status=422, code="invalid_request")
        return page(request, 422)

    # A form value a model refuses (a zienswijze holding a bidi override): the form's
    # fault, so the form's page, not the 500 page.
    @app.exception_handler(ValidationError)
    async def invalid_value(request: Request, exc: ValidationError) -> Response:
        log.info("portal.refused", status=422, code="invalid_request")
        return page(request, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return page(request, exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("portal.failed", error_type=type(exc).__name__)
        return page(request, 500)
