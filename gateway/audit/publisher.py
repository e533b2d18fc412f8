"""Publishes checkpoints at a fixed size and interval, beside the acts, never in them.

Every gateway process runs one publisher thread; they share the database, and the tree
lock (`checkpoints.publish`) lets only one of them sign a given size. Acts never wait
for it: an act's transaction only appends its entry.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from gateway.audit import checkpoints
from gateway.audit.models import AuditCheckpoint
from gateway.core.clock import Clock
from gateway.core.context import trace
from gateway.core.db import Database
from gateway.crypto.notes import NoteKey

log = structlog.get_logger("gateway.audit")
POLL_SECONDS = 5.0


@dataclass
class CheckpointPublisher:
    db: Database
    key: NoteKey
    clock: Clock
    every_entries: int
    interval_seconds: int
    witness: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def due(self) -> bool:
        """Has the log grown by `every_entries`, or at all for `interval_seconds`?"""
        with self.db.readers() as session:
            last = checkpoints.latest(session)
            size = checkpoints.head_seq(session)
        if last is None:
            return size > 0
        grown = size - last.tree_size
        waited = self.clock.now() - last.time >= timedelta(seconds=self.interval_seconds)
        return grown >= self.every_entries or (grown > 0 and waited)

    def publish(self) -> AuditCheckpoint | None:
        """Signs a checkpoint of the log now (if it grew) and hands what is new to the
        witness; a witness that fails is tried again next time. A run is a trace."""
        with trace(), self.db.sessions() as session, session.begin():
            made = checkpoints.publish(session, self.key, now=self.clock.now())
        checkpoints.push_to_witness(self.db, self.witness, now=self.clock.now())
        return made

    def run_once(self) -> AuditCheckpoint | None:
        return self.publish() if self.due() else None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="audit-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=POLL_SECONDS * 2)

    def _loop(self) -> None:
        while not self._stop.wait(min(POLL_SECONDS, max(self.interval_seconds, 1))):
            try:
                self.run_once()
            except Exception:  # the next round tries again; acts are never affected
                log.exception("audit_checkpoint_failed")
