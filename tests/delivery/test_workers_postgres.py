"""Several worker processes against one PostgreSQL never post the same notification at
once, and each is delivered exactly once: claims with SKIP LOCKED and a lease."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import OKPKey
from sqlalchemy import func, select

from gateway.audit.models import AuditEntry
from gateway.core.clock import SystemClock
from gateway.core.db import Database
from gateway.core.settings import Settings
from gateway.crypto.signing import SigningKeys
from gateway.delivery import outbox
from gateway.delivery.models import Delivery, DeliveryAttempt
from gateway.delivery.worker import DeliveryWorker
from tests.conftest import TEMPLATE
from tests.delivery.helpers import hook
from tests.support.gateway import Gateway
from tests.support.postgres import PostgresServer
from tests.support.receiver import Receiver

PROCESSES = 4
NOTIFICATIONS = 60


def deliver(url: str, data_dir: str, key: dict[str, Any], seconds: float) -> None:
    """One `gateway worker` process: rounds until nothing was due for a while."""
    settings = Settings(
        database_url=url,
        data_dir=Path(data_dir),
        delivery_backoff_base_seconds=0.05,
        delivery_backoff_cap_seconds=0.2,
        delivery_max_attempts=20,
    )
    db = Database.connect(url)
    worker = DeliveryWorker(
        db=db,
        signing=SigningKeys([OKPKey.import_key(key)]),
        clock=SystemClock(),
        settings=settings,
        policy_version="test",
        break_glass=frozenset(),
        batch=3,
    )
    deadline, idle = time.monotonic() + seconds, 0
    try:
        while time.monotonic() < deadline and idle < 20:
            tried = worker.run_once()
            idle = 0 if tried else idle + 1
            if not tried:
                time.sleep(0.05)
    finally:
        worker.stop()
        db.dispose()


@pytest.mark.postgres
def test_worker_processes_never_deliver_one_notification_twice(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    url = postgres.create_database(f"t_{uuid.uuid4().hex[:12]}", template=TEMPLATE)
    gateway = Gateway(url, tmp_path / "var")
    receiver = Receiver(fail_first=15, delay=0.02).start()
    try:
        vo = gateway.make_org("school_vo")
        hook(gateway, vo, receiver.url)
        now = SystemClock().now()
        with gateway.services.db.unit_of_work() as session:
            ids = [
                outbox.emit(
                    session,
                    org_id=vo.id,
                    event="signal.match",
                    data={"match_id": f"vim_{n}", "signal_id": f"sig_{n}"},
                    now=now,
                ).id
                for n in range(NOTIFICATIONS)
            ]
        key = OKPKey.generate_key("Ed25519", auto_kid=True).as_dict(private=True)
        spawn = multiprocessing.get_context("spawn")
        args = (url, str(tmp_path / "var"), key, 120.0)
        workers = [spawn.Process(target=deliver, args=args) for _ in range(PROCESSES)]
        for process in workers:
            process.start()
        for process in workers:
            process.join(timeout=180)
            assert process.exitcode == 0

        assert set(receiver.keys()) == set(ids)
        assert all(receiver.successes[i] == 1 for i in ids), receiver.successes
        assert max(receiver.overlap.values()) == 1  # never two POSTs of one at once
        assert sum(receiver.keys().values()) == NOTIFICATIONS + 15
        with gateway.services.db.sessions() as session:
            statuses = dict(
                session.execute(
                    select(Delivery.status, func.count()).group_by(Delivery.status)
                ).all()
            )
            assert statuses == {"delivered": NOTIFICATIONS}
            workers_seen = session.scalar(select(func.count(func.distinct(DeliveryAttempt.worker))))
            assert workers_seen is not None and workers_seen >= 2
            # One entry per delivery, whichever worker delivered it.
            logged = select(AuditEntry.object_id).where(AuditEntry.action == "webhook.deliver")
            assert sorted(session.scalars(logged)) == sorted(ids)
    finally:
        receiver.stop()
        gateway.close()
