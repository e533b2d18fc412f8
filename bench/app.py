"""The gateway app plus the benchmark's bare baseline: the same bytes, no checks at all.

Only the benchmark serves this; the product app has no unchecked endpoint.
"""

from __future__ import annotations

import secrets
from functools import partial

import anyio
from fastapi import FastAPI
from sqlalchemy import Column, DateTime, LargeBinary, MetaData, String, Table, insert

from gateway.deps import RawBody, Services, ServicesDep
from gateway.main import create_app

metadata = MetaData()
baseline_blobs = Table(
    "bench_baseline_blobs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime, nullable=False),
)


def app_factory() -> FastAPI:
    app = create_app()
    metadata.create_all(app.state.services.db.engine)

    def store(services: Services, raw: bytes) -> dict[str, str]:
        blob_id = secrets.token_hex(10)
        with services.db.sessions() as session, session.begin():
            session.execute(
                insert(baseline_blobs).values(
                    id=blob_id, body=raw, created_at=services.clock.now().replace(tzinfo=None)
                )
            )
        return {"id": blob_id}

    # The same trip to the thread pool as a push, through the same limiter.
    @app.post("/bench/baseline", status_code=201)
    async def baseline(raw: RawBody, services: ServicesDep) -> dict[str, str]:
        act = partial(store, services, raw)
        return await anyio.to_thread.run_sync(act, limiter=services.push_limiter)

    return app
