"""API routes whose sync endpoints answer in the same trip to the thread pool.

FastAPI runs a sync endpoint in the shared thread pool (40 threads) and then, in a
second trip, validates what it returned against its response model. The request's
transaction is committed only after that, when its dependency exits (`SessionDep`), so
on SQLite the second trip was taken while the request held the one write lock. Under
load every thread of the pool was waiting for that lock (or for a pooled connection),
the holder waited for a thread, and the server stopped answering (bench/soak.py found
it). Here the endpoint validates and serializes its answer itself, in its own thread,
and hands FastAPI a finished response: no second trip, whatever the load.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import Response
from fastapi.exceptions import ResponseValidationError
from fastapi.routing import APIRoute


class OneTripRoute(APIRoute):
    """An `APIRoute` whose sync endpoint returns a finished JSON response."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = self._answering(endpoint)
        super().__init__(path, endpoint, **kwargs)

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
