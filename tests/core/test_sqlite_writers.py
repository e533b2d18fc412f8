"""SQLite writers queue across threads and across worker processes.

`gateway serve --workers N` runs N processes on one SQLite file: every transaction
must still see the audit head its predecessor left, and none may fail as busy.
"""

from __future__ import annotations

import multiprocessing
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gateway.audit import service as audit
from gateway.core.clock import SystemClock
from gateway.core.db import Database
from tests.support.audit import read_event

THREADS, APPENDS = 4, 15


def _append_many(url: str, worker: int) -> None:
    db = Database.connect(url)
    clock = SystemClock()

    def one_thread(thread: int) -> None:
        for n in range(APPENDS):
            with db.unit_of_work() as session:
                event = read_event(f"org_{worker}_{thread}", f"sr_{n}")
                audit.append(session, event, now=clock.now())

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(one_thread, range(THREADS)))
    finally:
        db.dispose()


def test_worker_processes_and_their_threads_append_one_unbroken_chain(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "gateway.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    context = multiprocessing.get_context("spawn")  # as uvicorn starts its workers
    workers = [context.Process(target=_append_many, args=(url, n)) for n in range(3)]
    for process in workers:
        process.start()
    _append_many(url, 99)
    for process in workers:
        process.join(timeout=120)
        assert process.exitcode == 0

    db = Database.connect(url)
    try:
        with db.sessions() as session:
            result = audit.verify(session)
    finally:
        db.dispose()
    assert result.ok, result.problem
    assert result.checked == 4 * THREADS * APPENDS
