"""The gateway app plus the benchmark's bare baseline: the same bytes, no checks at all.

Only the benchmark serves this; the product app has no unchecked endpoint.
"""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from sqlalchemy import Column, DateTime, LargeBinary, MetaData, String, Table, insert

from gateway.deps import RawBody, ServicesDep
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

    @app.post("/bench/baseline", status_code=201)
    def baseline(raw: RawBody, services: ServicesDep) -> dict[str, str]:
        blob_id = secrets.token_hex(10)
        with services.db.sessions() as session, session.begin():
            session.execute(
                insert(baseline_blobs).values(
                    id=blob_id, body=raw, created_at=services.clock.now().replace(tzinfo=None)
                )
            )
        return {"id": blob_id}

    return app
