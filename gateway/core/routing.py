"""API routes whose sync endpoints answer in the same trip to the thread pool.

FastAPI runs a sync endpoint in the shared thread pool (40 threads) and then, in a
second trip, validates what it returned against its response model. The request's
transaction is committed only after that, when its dependency exits (`SessionDep`), so
on SQLite the second trip was taken while the request held the one write lock. Under
load every thread of the pool was waiting for that lock (or for a pooled connection),
the holder waited for a thread, and the server stopped answering (bench/soak.py found
it). Here the endpoint validates and serializes its answer itself, in its own thread,
and hands FastAPI a finished response: no second trip, whatever the load.

Every JSON body of the API is parsed here (or by `deps.parse_json`, through
`refuse_non_finite`): Python's json reads NaN and Infinity, which no JSON is (RFC 8259
§6); accepted, they are stored and then cannot be answered.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.routing import APIRoute

_NON_FINITE = (b"NaN", b"Infinity")


class _NotJSON(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotJSON(f"{name} is not JSON")


def loads(raw: bytes | str) -> Any:
    """JSON as RFC 8259 has it: NaN, Infinity and -Infinity are refused."""
    return json.loads(raw, parse_constant=_refuse_constant)


def refuse_non_finite(raw: bytes) -> None:
    """422 json_invalid for a body holding NaN or Infinity outside its strings."""
    # Cheap for the usual body: only one naming them is parsed a second time.
    if not any(token in raw for token in _NON_FINITE):
        return
    try:
        loads(raw)
    except (ValueError, RecursionError):  # _NotJSON, or a body bad in other ways too
        raise RequestValidationError([{"loc": ("body",), "type": "json_invalid"}]) from None


class _FiniteJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            raw = await self.body()
            try:
                self._json = loads(raw)
            except _NotJSON as exc:
                # FastAPI answers a decode error as 422 json_invalid, like any bad JSON.
                raise json.JSONDecodeError(str(exc), raw.decode("utf-8", "replace"), 0) from None
        return self._json


class OneTripRoute(APIRoute):
    """An `APIRoute` whose sync endpoint returns a finished JSON response."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = self._answering(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def finite(request: Request) -> Response:
            return await handle(_FiniteJSONRequest(request.scope, request.receive))

        return finite

    def _answering(self, endpoint: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(endpoint)
        def answer(*args: Any, **kwargs: Any) -> Any:
            result = endpoint(*args, **kwargs)
            field = self.response_field
            if isinstance(result, Response) or field is None:
                return result
            value, errors = field.validate(result, {}, loc=("response",))
            if errors:
                raise ResponseValidationError(errors=errors, body=result)
            return Response(
                field.serialize_json(value),
                status_code=self.status_code or 200,
                media_type="application/json",
            )

        return answer
