"""Errors that carry their HTTP meaning, and the one handler that renders them.

Every refusal leaves as RFC 9457 problem+json with a machine-readable `code`. The
`detail` is written by us, never copied from input, so it cannot carry personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("gateway.errors")


class GatewayError(Exception):
    status: int = 500
    code: str = "internal_error"
    title: str = "Internal error"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
        record: Callable[[Session], None] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.extra = extra or {}
        # Written in a fresh transaction after the failed act was rolled back: a
        # denial is recorded although nothing of the act itself is stored.
        self.record = record

    def problem(self) -> dict[str, Any]:
        return {
            "type": f"https://gateway.passend.example/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            **self.extra,
        }


class BadRequest(GatewayError):
    status, code, title = 400, "bad_request", "Bad request"


class Unauthorized(GatewayError):
    status, code, title = 401, "unauthorized", "Not authenticated"


class Forbidden(GatewayError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(GatewayError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(GatewayError):
    status, code, title = 409, "conflict", "State conflict"


class PayloadTooLarge(GatewayError):
    status, code, title = 413, "payload_too_large", "Payload too large"


class Unprocessable(GatewayError):
    status, code, title = 422, "unprocessable", "Unprocessable content"


def problem_response(
    status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {
        "type": f"https://gateway.passend.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_detail(errors: Sequence[Any]) -> list[dict[str, Any]]:
    # Only where and what kind of error: never the offending input value.
    return [
        {"loc": [str(part) for part in err.get("loc", ())], "type": err.get("type", "")}
        for err in errors
    ]


def validation_problem(errors: Sequence[Any]) -> JSONResponse:
    """422 naming each field path and error type; a BSN failing the 11-proef has its code."""
    found = _validation_detail(errors)
    types = {e["type"] for e in found}
    code = "invalid_bsn" if "invalid_bsn" in types else "invalid_request"
    if "json_invalid" in types:
        code = "json_invalid"
    log.info("request.refused", status=422, code=code, errors=found)
    body = {
        "type": f"https://gateway.passend.example/problems/{code}",
        "title": "Unprocessable content",
        "status": 422,
        "detail": "The request body or parameters are not valid.",
        "code": code,
        "errors": found,
    }
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)


def internal_error() -> JSONResponse:
    return problem_response(
        500, "internal_error", "Internal error", "An unexpected error occurred."
    )


def install_handlers(app: FastAPI) -> None:
    """The handlers of known errors; an unexpected one is logged and answered 500 by
    `middleware.RequestContextMiddleware`, which has the request's whole life in view."""

    @app.exception_handler(GatewayError)
    async def gateway_error(request: Request, exc: GatewayError) -> JSONResponse:
        log.info("request.refused", status=exc.status, code=exc.code)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(
            exc.problem(), status_code=exc.status, media_type=PROBLEM_JSON, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(exc.errors())

    # A model a service builds from what the client sent (an OSO dossier's pupil) fails
    # as pydantic's own error: a 422 naming the path, not a 500 that logs the value.
    @app.exception_handler(ValidationError)
    async def model_error(request: Request, exc: ValidationError) -> JSONResponse:
        return validation_problem(exc.errors(include_input=False, include_url=False))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI answers a JSON body it cannot decode (not UTF-8, nested past the
        # recursion limit) with a bare 400; it is invalid JSON like any other: 422.
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError):
            return validation_problem([{"loc": ("body",), "type": "json_invalid"}])
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem_response(exc.status_code, code, "Request refused", str(exc.detail))
