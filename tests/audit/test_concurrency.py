"""Several gateway processes writing to one PostgreSQL keep one verifiable sequence,
while checkpoints are published beside them."""

from __future__ import annotations

import multiprocessing
import uuid
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.audit import service as audit
from gateway.audit.publisher import CheckpointPublisher
from gateway.audit.verify import verify_log
from gateway.core.clock import SystemClock
from gateway.core.db import Database
from gateway.crypto.notes import NoteKeys
from tests.conftest import TEMPLATE
from tests.support.audit import read_event
from tests.support.postgres import PostgresServer

PROCESSES = 4
APPENDS = 60
ORIGIN = "gateway.test/audit"


def append_many(url: str, worker: int) -> None:
    """One gateway process: an act's transaction per append, as the API does them."""
    db = Database.connect(url)
    try:
        for n in range(APPENDS):
            with db.unit_of_work() as session:
                event = read_event(f"org_w{worker}", f"sr_{worker}_{n}")
                audit.append(session, event, now=datetime.now(UTC))
    finally:
        db.dispose()


def publish_meanwhile(url: str, seed: bytes, rounds: int) -> None:
    db = Database.connect(url)
    key = NoteKeys((Ed25519PrivateKey.from_private_bytes(seed),)).active(ORIGIN)
    publisher = CheckpointPublisher(db, key, SystemClock(), every_entries=1, interval_seconds=0)
    try:
        for _ in range(rounds):
            publisher.publish()
    finally:
        db.dispose()


@pytest.mark.postgres
def test_processes_appending_at_once_leave_one_verifiable_log(postgres: PostgresServer) -> None:
    url = postgres.create_database(f"t_{uuid.uuid4().hex[:12]}", template=TEMPLATE)
    keys = NoteKeys.generate()
    seed = keys.keys[0].private_bytes_raw()
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=append_many, args=(url, w)) for w in range(PROCESSES)]
    workers += [spawn.Process(target=publish_meanwhile, args=(url, seed, 40)) for _ in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=300)
        assert process.exitcode == 0
    publish_meanwhile(url, seed, 1)

    db = Database.connect(url)
    try:
        with db.sessions() as session:
            result = verify_log(session, keys=keys.verifiers(ORIGIN))
            assert result.ok, result
            assert result.checked == PROCESSES * APPENDS
            # The last checkpoint covers everything; the others were published mid-way.
            assert result.checkpoints >= 1
    finally:
        db.dispose()
