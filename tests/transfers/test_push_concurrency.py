"""Pushes beyond GATEWAY_PUSH_CONCURRENCY wait their turn; none is refused or lost."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from gateway.transfers import router
from tests.support.gateway import ISSUER, Gateway, make_dossier, make_subject
from tests.support.portal import enrol
from tests.support.standing import stand

LIMIT = 2
PUSHES = 7


class HeldAct:
    """Stands in the part of a push under the limiter (its decision): counts who is
    inside and keeps them there until let go."""

    def __init__(self, act: Callable[..., Any]) -> None:
        self._act = act
        self._lock = threading.Lock()
        self.gate = threading.Event()
        self.inside = 0
        self.peak = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.inside += 1
            self.peak = max(self.peak, self.inside)
        try:
            self.gate.wait()
            return self._act(*args, **kwargs)
        finally:
            with self._lock:
                self.inside -= 1


def test_no_more_pushes_than_the_limit_are_worked_on_at_once(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldAct(router._prepare)
    monkeypatch.setattr(router, "_prepare", held)
    gateway = Gateway(database_url, tmp_path / "var", push_concurrency=LIMIT)
    limiter = gateway.services.push_limiter
    try:
        po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
        subject = make_subject()
        enrol(gateway, vo, subject)
        stand(gateway, po, subject, "overdracht.po_vo")  # pushed past the test client
        body = {"recipient": vo.id, "subject": subject, "dossier": make_dossier()}

        async def push_all() -> list[httpx2.Response]:
            transport = httpx2.ASGITransport(app=gateway.app)
            async with httpx2.AsyncClient(transport=transport, base_url=ISSUER) as client:
                pushes = [
                    asyncio.ensure_future(
                        client.post("/v1/transfers", json=body, headers=po.headers())
                    )
                    for _ in range(PUSHES)
                ]
                try:
                    # Every push is either inside the act or queued for it: the act has
                    # then seen all the concurrency it will see while the gate is shut.
                    while held.inside + limiter.statistics().tasks_waiting < PUSHES:
                        await asyncio.sleep(0)  # a turn for the other tasks, not a timed wait
                    assert held.peak == LIMIT
                    assert limiter.statistics().tasks_waiting == PUSHES - LIMIT
                finally:
                    held.gate.set()  # a held thread would keep the event loop from closing
                return await asyncio.gather(*pushes)

        # A safety net should the pushes never line up, not a measurement.
        responses = asyncio.run(asyncio.wait_for(push_all(), timeout=60))
        assert [r.status_code for r in responses] == [201] * PUSHES
        assert held.peak == LIMIT
        listed = gateway.client.get("/v1/transfers", params={"box": "outbox"}, headers=po.headers())
        assert len({item["id"] for item in listed.json()["items"]}) == PUSHES
    finally:
        gateway.close()
