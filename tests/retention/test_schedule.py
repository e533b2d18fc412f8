"""`gateway serve` runs the retention job in each process, beside the acts."""

from __future__ import annotations

import threading
from datetime import timedelta

from fastapi.testclient import TestClient

from gateway.main import create_app, retention_of
from tests.support.gateway import Gateway
from tests.support.portal import CHILD, enrol, push_dossier


def test_the_scheduled_run_destroys_what_the_command_would(gateway: Gateway) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    enrol(gateway, vo, CHILD)
    push_dossier(gateway, po, vo, CHILD)
    gateway.clock.advance(timedelta(days=3 * 365))
    report = retention_of(gateway.services).run_once()
    assert dict(report.destroyed)[("transfer", "leerlingdossier")] == 1
    assert retention_of(gateway.services).run_once().total == 0


def test_serving_starts_the_job_and_stops_it_with_the_app(gateway: Gateway) -> None:
    services = gateway.services
    settings = services.settings
    assert settings.retention_interval_seconds == 86400
    app = create_app(settings, services=services)
    with TestClient(app):
        assert "retention" in {thread.name for thread in threading.enumerate()}
    assert "retention" not in {t.name for t in threading.enumerate() if t.is_alive()}
