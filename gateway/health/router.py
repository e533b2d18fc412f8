from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from gateway.core.routing import OneTripRoute
from gateway.deps import ServicesDep

router = APIRouter(tags=["operations"], route_class=OneTripRoute)


@router.get("/health/live", summary="The process is up")
def live() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/health/ready", summary="The database answers and the keys are loaded")
def ready(services: ServicesDep) -> Response:
    try:
        with services.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse(
        {"status": "ok", "database": "up", "policy_version": services.catalog.version}
    )


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
