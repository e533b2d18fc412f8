"""Pure ASGI middleware: request ids, trace context, body limits and metrics.

Pure ASGI rather than `BaseHTTPMiddleware`, which buffers bodies and breaks
context variables.
"""

from __future__ import annotations

import re
import secrets
import time

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.core.context import new_trace_id, trace
from gateway.core.errors import internal_error, problem_response
from gateway.core.fields import BSN_SHAPED
from gateway.crypto.bsn import is_valid_bsn

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
TRACEPARENT_RE = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_ZERO_TRACE, _ZERO_PARENT = "0" * 32, "0" * 16
_DIGIT_RUN = re.compile(r"\d{9,}")

HTTP_REQUESTS = Counter(
    "gateway_http_requests_total", "HTTP requests handled", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "gateway_http_request_duration_seconds", "HTTP request latency", ["method", "route"]
)
log = structlog.get_logger("gateway.http")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _holds_bsn(hex_id: str) -> bool:
    return any(
        is_valid_bsn(run[at : at + 9])
        for run in _DIGIT_RUN.findall(hex_id)
        for at in range(len(run) - 8)
    )


def continued_trace(header: str | None) -> tuple[str, str]:
    """The trace-id and flags of a caller's valid `traceparent`, or of a new trace.

    W3C Trace Context: version 00, lower-case hex, neither id all zeros; anything else
    is dropped (never echoed) and a trace is started here. A trace-id holding nine
    digits in a row that pass the 11-proef is dropped too: it is stored on every audit
    entry of the act (also on the log of the organisation whose object it touched),
    and a BSN must not be planted there.
    """
    found = TRACEPARENT_RE.match(header or "")
    if (
        found
        and found.group(1) != _ZERO_TRACE
        and found.group(2) != _ZERO_PARENT
        and not _holds_bsn(found.group(1))
    ):
        return found.group(1), found.group(3)
    return new_trace_id(), "01"


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class RequestContextMiddleware:
    """Binds a request id and trace id to every log line and response.

    It is also where an unexpected error ends: logged once with its traceback (the
    messages that may quote input withheld, see `core.logging`), answered 500 if no
    answer has started, and not raised on to the server, whose own log line would
    print the exception's message unscrubbed.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        # A caller's id is echoed and logged: one that could be a BSN is replaced.
        request_id = secrets.token_hex(16)
        if given and REQUEST_ID_RE.match(given) and not BSN_SHAPED.search(given):
            request_id = given
        trace_id, flags = continued_trace(_header(scope, b"traceparent"))
        traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"
        state = scope.setdefault("state", {})
        state["request_id"], state["trace_id"] = request_id, trace_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, trace_id=trace_id)
        started = time.perf_counter()
        status = 500
        answered = False

        async def send_with_ids(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"traceparent", traceparent.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            with trace(trace_id):
                await self.app(scope, receive, send_with_ids)
        except Exception as exc:
            log.error("request.failed", error_type=type(exc).__name__, exc_info=exc)
            if not answered:
                await internal_error()(scope, receive, send_with_ids)
        finally:
            route = _route_template(scope)
            elapsed = time.perf_counter() - started
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route).observe(elapsed)
            log.info(
                "http.request",
                method=scope["method"],
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.clear_contextvars()


class BodyLimitMiddleware:
    """Refuses bodies over the limit with 413 before any handler sees them.

    The body is read here, up to the limit, and replayed to the app: a handler can
    then never be halfway through an act when the limit is crossed.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        log.info("request.refused", status=413, code="payload_too_large")
        response = problem_response(
            413,
            "payload_too_large",
            "Payload too large",
            f"The request body exceeds {self.max_bytes} bytes.",
        )
        await response(scope, receive, send)


HTTP_SHED = Counter(
    "gateway_http_shed_total", "Requests answered 503 because too many were in flight"
)


class InFlightLimitMiddleware:
    """Answers 503 with Retry-After at once when too many API requests are in flight.

    An open load that outruns a worker would otherwise queue without bound: each
    request waits for a thread, a client that gave up is still worked off, and every
    later request waits longer (seen in `make soak` before the slow queries were
    fixed). Refusing at the door costs nothing and stores nothing, so the client's
    retry (with its Idempotency-Key for a push) is safe. The refusal is not an act on
    anyone's data and is not written to the audit log: under overload that write would
    be the next thing to queue. It is counted (`gateway_http_shed_total`) and logged.
    Only the API is limited; health, metrics and the portal's pages are not.
    """

    RETRY_AFTER_SECONDS = 1

    def __init__(self, app: ASGIApp, max_in_flight: int, prefix: str = "/v1/") -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.prefix = prefix
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or self.max_in_flight <= 0
            or not str(scope.get("path", "")).startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            HTTP_SHED.inc()
            log.warning("request.shed", status=503, in_flight=self.in_flight)
            response = problem_response(
                503,
                "overloaded",
                "Overloaded",
                "Too many requests are being handled; nothing was done. Retry after "
                f"{self.RETRY_AFTER_SECONDS} s.",
                headers={"Retry-After": str(self.RETRY_AFTER_SECONDS)},
            )
            await response(scope, receive, send)
            return
        # One event loop per worker: the counter needs no lock.
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
