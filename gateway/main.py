"""The composition root: the one place that wires settings, storage, keys and routes."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI

from connectors.oso.xsd import xml_schema
from gateway.audit.publisher import CheckpointPublisher
from gateway.audit.router import router as audit_router
from gateway.audit.tree_router import router as audit_tree_router
from gateway.auth.router import router as auth_router
from gateway.auth.tokens import TokenService
from gateway.cases.router import router as cases_router
from gateway.catalog.router import router as policies_router
from gateway.core.apidocs import install_docs
from gateway.core.clock import Clock, SystemClock
from gateway.core.db import Database
from gateway.core.errors import install_handlers
from gateway.core.logging import configure_logging
from gateway.core.memory import tune_allocator
from gateway.core.middleware import (
    BodyLimitMiddleware,
    InFlightLimitMiddleware,
    RequestContextMiddleware,
)
from gateway.core.openapi import install_openapi
from gateway.core.settings import Settings, get_settings
from gateway.crypto.keyring import Keyring
from gateway.delivery.router import router as delivery_router
from gateway.delivery.worker import DeliveryWorker
from gateway.deps import Services, edges_of
from gateway.enrolments.authority import EnrolledSchool
from gateway.enrolments.router import router as enrolments_router
from gateway.health.router import router as health_router
from gateway.registry.router import router as consents_router
from gateway.retention.scheduler import RetentionScheduler
from gateway.rights import reminders as rights_reminders
from gateway.rights.requests_router import router as rights_requests_router
from gateway.rights.router import router as rights_router
from gateway.signals import jobs as signal_jobs
from gateway.signals.router import router as signals_router
from gateway.subjects.router import router as subjects_router
from gateway.tlv.router import router as tlv_router
from gateway.transfers.router import router as transfers_router
from gateway.web.app import MOUNT as PORTAL_MOUNT
from gateway.web.app import create_portal
from policies.catalog import Catalog, load_catalog

DESCRIPTION = """
The neutral exchange for passend onderwijs: schools push warme-overdracht dossiers,
professionals read what law, convenant and consent allow, and every act is decided by
the policy catalog and written to a hash-chained audit log, an RFC 9162 Merkle tree
published in signed checkpoints (`GET /v1/audit/checkpoint`).

Calls on personal data carry `X-Purpose` and `X-Actor`. Errors are RFC 9457
problem+json with a machine-readable `code`.
"""

GIL_SWITCH_INTERVAL = 0.0005


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    keyring: Keyring | None = None,
    catalog: Catalog | None = None,
) -> Services:
    keyring = keyring or Keyring.local(settings.keys_dir)
    clock = clock or SystemClock()
    return Services(
        settings=settings,
        push_limiter=anyio.CapacityLimiter(settings.push_concurrency),
        db=Database.connect(settings.effective_database_url),
        clock=clock,
        keyring=keyring,
        tokens=TokenService(
            keyring.signing,
            issuer=settings.issuer,
            ttl_seconds=settings.access_token_ttl_seconds,
            clock=clock,
        ),
        catalog=catalog or load_catalog(region=settings.region),
        authority=EnrolledSchool(),
    )


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    # A thread holding the database's write lock must not wait the default 5 ms for
    # the GIL while request threads parse XML: a short switch interval keeps the
    # lock held only as long as the work inside it (measured in bench/).
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    if settings.malloc_tuning:
        tune_allocator()
    services = services or build_services(settings)
    # The OSO XSD compiled before the first request: the first pushes, compiling it at
    # once in several threads, made libxml2 fail (XMLSchemaParseError) under load.
    xml_schema()
    app = FastAPI(
        title="Passend onderwijs exchange gateway",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_url="/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=_checkpoints(services),
    )
    app.state.services = services
    install_handlers(app)
    install_openapi(app)
    install_docs(app, openapi_url="/v1/openapi.json")
    for router in (
        auth_router,
        enrolments_router,
        consents_router,
        subjects_router,
        transfers_router,
        tlv_router,
        cases_router,
        signals_router,
        delivery_router,
        rights_router,
        rights_requests_router,
        audit_router,
        audit_tree_router,
        policies_router,
        health_router,
    ):
        app.include_router(router)
    app.mount(PORTAL_MOUNT, create_portal(services))
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(InFlightLimitMiddleware, max_in_flight=settings.max_in_flight)
    app.add_middleware(RequestContextMiddleware)
    return app


def publisher_of(services: Services) -> CheckpointPublisher:
    settings = services.settings
    return CheckpointPublisher(
        db=services.db,
        key=services.keyring.checkpoints.active(settings.audit_origin),
        clock=services.clock,
        every_entries=settings.audit_checkpoint_entries,
        interval_seconds=settings.audit_checkpoint_interval_seconds,
        witness=settings.audit_witness,
    )


def retention_of(services: Services) -> RetentionScheduler:
    def sweep() -> object:
        return signal_jobs.run(services.db, lambda: edges_of(services), services.settings)

    def remind() -> object:
        return rights_reminders.run(services.db, edges_of(services))

    return RetentionScheduler(
        db=services.db,
        catalog=services.catalog,
        clock=services.clock,
        interval_seconds=services.settings.retention_interval_seconds,
        daily=(("signals sweep", sweep), ("rights remind", remind)),
    )


def worker_of(services: Services) -> DeliveryWorker:
    return DeliveryWorker(
        db=services.db,
        signing=services.keyring.signing,
        clock=services.clock,
        settings=services.settings,
        policy_version=services.catalog.version,
        break_glass=services.catalog.break_glass_purposes(),
    )


def _checkpoints(services: Services) -> Any:
    """While the app serves, its process publishes the audit log's checkpoints, runs
    the daily jobs, and with `GATEWAY_DELIVERY_IN_SERVE` delivers webhooks too."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        publisher, retention = None, None
        if services.settings.audit_checkpoint_interval_seconds > 0:
            publisher = publisher_of(services)
            publisher.start()
        if services.settings.retention_interval_seconds > 0:
            retention = retention_of(services)
            retention.start()
        worker = worker_of(services) if services.settings.delivery_in_serve else None
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if publisher is not None:
                publisher.stop()
            if retention is not None:
                retention.stop()
            if worker is not None:
                worker.stop()

    return lifespan


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory gateway.main:app_factory`."""
    return create_app()
