"""Pushes beyond GATEWAY_PUSH_CONCURRENCY wait their turn; none is refused or lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2

from tests.support.gateway import ISSUER, Gateway, make_dossier, make_subject
from tests.support.portal import enrol

PUSHES = 8


def test_more_pushes_than_the_limit_all_land(database_url: str, tmp_path: Path) -> None:
    gateway = Gateway(database_url, tmp_path / "var", push_concurrency=1)
    try:
        assert gateway.services.push_limiter.total_tokens == 1
        po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
        subject = make_subject()
        enrol(gateway, vo, subject)
        body = {"recipient": vo.id, "subject": subject, "dossier": make_dossier()}

        async def push_all() -> list[httpx2.Response]:
            transport = httpx2.ASGITransport(app=gateway.app)
            async with httpx2.AsyncClient(transport=transport, base_url=ISSUER) as client:
                return await asyncio.gather(
                    *(
                        client.post("/v1/transfers", json=body, headers=po.headers())
                        for _ in range(PUSHES)
                    )
                )

        responses = asyncio.run(push_all())
        assert [r.status_code for r in responses] == [201] * PUSHES
        listed = gateway.client.get("/v1/transfers", params={"box": "outbox"}, headers=po.headers())
        assert len({item["id"] for item in listed.json()["items"]}) == PUSHES
    finally:
        gateway.close()
