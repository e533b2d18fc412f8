"""Past the in-flight limit an API request is answered 503 at once, and nothing is done.

Driven as plain ASGI with two requests held open inside the app, so that "in flight"
is exact rather than a matter of timing.
"""

from __future__ import annotations

import json

import anyio
import pytest
from starlette.types import Message, Receive, Scope, Send

from gateway.core.middleware import InFlightLimitMiddleware
from tests.support.gateway import Gateway


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def http_scope(path: str) -> Scope:
    return {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}


class HeldApp:
    """Answers 200 once released; counts the requests that reached it."""

    def __init__(self) -> None:
        self.entered = 0
        self.release = anyio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.entered += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


async def call(app: InFlightLimitMiddleware, path: str) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(http_scope(path), receive, send)
    return sent


@pytest.mark.anyio
async def test_a_request_past_the_limit_is_shed_with_retry_after() -> None:
    inner = HeldApp()
    app = InFlightLimitMiddleware(inner, max_in_flight=2)
    answers: list[list[Message]] = []
    async with anyio.create_task_group() as tg:
        for _ in range(2):
            tg.start_soon(lambda: _collect(app, "/v1/transfers", answers))
        while inner.entered < 2:
            await anyio.sleep(0)
        # Without the limit the third request would wait inside the app with the others.
        with anyio.fail_after(5):
            shed = await call(app, "/v1/transfers")
        assert inner.entered == 2
        inner.release.set()
    start, body = shed
    assert start["status"] == 503
    headers = dict(start["headers"])
    assert headers[b"retry-after"] == b"1"
    assert headers[b"content-type"].startswith(b"application/problem+json")
    assert json.loads(body["body"])["code"] == "overloaded"
    # The two held requests were answered normally once released.
    assert sorted(a[0]["status"] for a in answers) == [200, 200]
    # The counter went back down: the next request goes through.
    assert app.in_flight == 0
    inner.release = anyio.Event()
    inner.release.set()
    assert (await call(app, "/v1/transfers"))[0]["status"] == 200


async def _collect(app: InFlightLimitMiddleware, path: str, into: list[list[Message]]) -> None:
    into.append(await call(app, path))


@pytest.mark.anyio
async def test_only_the_api_is_limited() -> None:
    # A probe must see the worker alive, and the portal has its own sessions to finish.
    inner = HeldApp()
    app = InFlightLimitMiddleware(inner, max_in_flight=1)
    answers: list[list[Message]] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(lambda: _collect(app, "/v1/transfers", answers))
        while inner.entered < 1:
            await anyio.sleep(0)
        for path in ("/health/ready", "/portaal/"):
            tg.start_soon(lambda p=path: _collect(app, p, answers))
        while inner.entered < 3:
            await anyio.sleep(0)
        inner.release.set()
    assert [a[0]["status"] for a in answers] == [200, 200, 200]


def test_the_app_sheds_at_its_configured_limit(gateway: Gateway) -> None:
    gateway.client.get("/health/live")  # the stack is built on the first request
    limiter = gateway.app.middleware_stack
    found = []
    while limiter is not None:
        if isinstance(limiter, InFlightLimitMiddleware):
            found.append(limiter.max_in_flight)
        limiter = getattr(limiter, "app", None)
    assert found == [gateway.settings.max_in_flight] and found[0] > 0


def test_the_contract_documents_the_503(gateway: Gateway) -> None:
    document = gateway.client.get("/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        if path.startswith("/v1/"):
            for method, operation in operations.items():
                assert "503" in operation["responses"], (method, path)
