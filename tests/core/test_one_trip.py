"""A request holding SQLite's write lock takes no second trip to the shared thread pool.

The soak found it (bench/soak.py, 1 December 2026): FastAPI validates the return value
of a sync endpoint in the shared thread pool (40 threads) after the endpoint returned,
while the request's transaction, committed only when its dependency exits, still held
the write lock. Under load all 40 threads were waiting for that lock or for a pooled
connection, the holder waited for a thread, and the server answered nothing again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
import pytest
from fastapi.routing import APIRoute

from gateway.core.routing import OneTripRoute
from tests.support.consent import REFERRAL, consent_body, granted
from tests.support.gateway import OFFICER, Gateway, audited, make_dossier, make_subject


def test_no_shared_thread_trip_starts_while_a_writer_connection_is_out(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    if gateway.services.db.group is None:
        pytest.skip("only SQLite has the one write lock")
    po = audited(gateway, "school_po")
    vo = gateway.make_org("school_vo")
    wijkteam = gateway.make_org("wijkteam")
    subject = make_subject(bsn="269326728")
    enrolled = gateway.client.post(
        "/v1/enrolments", json={"subject": subject}, headers=vo.headers()
    )
    assert enrolled.status_code == 201, enrolled.text
    pushed = gateway.client.post(
        "/v1/transfers",
        json={
            "recipient": vo.id,
            "subject": subject,
            "dossier": make_dossier(),
            "inzage": {"date": "2016-04-14", "akkoord": True},
        },
        headers=po.headers(),
    )
    assert pushed.status_code == 201, pushed.text
    consent = granted(gateway, po, consent_body([wijkteam.id]))

    pool = gateway.services.db.engine.pool
    trips: list[tuple[str, int]] = []
    run_sync = anyio.to_thread.run_sync

    async def watched(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("limiter") is None:  # the shared pool, not a limiter of its own
            name = getattr(getattr(func, "func", func), "__qualname__", "?")
            trips.append((name, pool.checkedout()))  # type: ignore[attr-defined]
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", watched)
    calls = [
        ("/v1/transfers?box=inbox", vo.headers()),
        ("/v1/transfers?box=outbox", po.headers()),
        (f"/v1/transfers/{pushed.json()['id']}", vo.headers()),
        (f"/v1/consents/{consent['id']}", po.headers(REFERRAL)),
        ("/v1/audit/events", po.headers(**OFFICER)),
    ]
    for path, headers in calls:
        response = gateway.client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text)

    assert trips, "the watch saw no trip at all"
    assert [trip for trip in trips if trip[1]] == []


def test_every_api_route_answers_in_one_trip(gateway: Gateway) -> None:
    """A router added without the route class would bring the hang back under load."""
    routes: list[Any] = []
    pending = list(gateway.app.routes)
    while pending:  # included routers keep their own routes
        route = pending.pop()
        inner = getattr(route, "original_router", None)
        pending.extend(inner.routes if inner is not None else ())
        if isinstance(route, APIRoute):
            routes.append(route)
    api = [r for r in routes if r.path.startswith("/v1")]
    assert len(api) > 20
    assert sorted(r.path for r in api if not isinstance(r, OneTripRoute)) == []
