"""Runs the daily jobs on a schedule while the gateway serves, beside the acts.

Like the checkpoint publisher (`gateway.audit.publisher`), every serving process runs
one thread: a minute after the start, then every `retention_interval_seconds` (a day
by default; 0 turns it off and leaves the jobs to cron: `gateway retention run`,
`gateway signals sweep`, `gateway rights remind`). The retention job runs first, then
the others (`daily`), each under a trace of its own and each on its own when another
fails. Two processes running them at once find the same records; each record is
destroyed in its own transaction under a row lock, and a record another process
destroyed first is skipped; the sweep and the reminders are idempotent per item.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import structlog

from gateway.core.clock import Clock
from gateway.core.context import trace
from gateway.core.db import Database
from gateway.retention import job
from policies.compiled import Catalog

log = structlog.get_logger("gateway.retention")
FIRST_RUN_SECONDS = 60.0


@dataclass
class RetentionScheduler:
    db: Database
    catalog: Catalog
    clock: Clock
    interval_seconds: int
    # The other daily jobs, by name, run after the retention job in each round.
    daily: Sequence[tuple[str, Callable[[], object]]] = ()
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def run_once(self) -> job.Report:
        with trace():
            report = job.run(self.db, catalog=self.catalog, clock=self.clock.now)
        log.info("retention_run", destroyed=report.total)
        return report

    def run_daily(self) -> None:
        for name, run in self.daily:
            try:
                run()  # each opens its own trace
            except Exception:  # the others and the next round still run
                log.exception("daily_job_failed", job=name)
            else:
                log.info("daily_job_ran", job=name)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        wait = min(FIRST_RUN_SECONDS, float(self.interval_seconds))
        while not self._stop.wait(wait):
            wait = float(self.interval_seconds)
            try:
                self.run_once()
            except Exception:  # the next round tries again; acts are never affected
                log.exception("retention_run_failed")
            self.run_daily()
