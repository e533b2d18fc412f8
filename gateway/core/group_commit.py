"""Group commit: on SQLite, writes waiting their turn share one transaction and one fsync.

SQLite has one writer at a time, and every commit in WAL mode with `synchronous=FULL`
waits for the disk. Under load most of a push's time in the write lock is that wait,
and each push paid it alone. Here one thread per process writes: it takes every write
queued while the previous group committed, runs each in a savepoint of one transaction
and commits once. Each caller is answered only after that commit, so nothing is
acknowledged before it is durable.

A write that fails is rolled back to its savepoint; the refusal it carries (`attempt`)
is written in the shared transaction, exactly as `Database.unit_of_work` writes it in a
transaction of its own. If the commit itself fails, every write of the group fails.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from gateway.core.errors import GatewayError

T = TypeVar("T")

# Bounded so one group's transaction stays short; the rest wait for the next.
MAX_GROUP = 64


@dataclass(slots=True)
class _Write(Generic[T]):
    work: Callable[[Session], T]
    # The submitter's context (its trace), for the work run on the committing thread.
    context: contextvars.Context = field(default_factory=contextvars.copy_context)
    future: Future[T] = field(default_factory=Future)
    result: Any = None
    error: BaseException | None = None


class GroupCommit:
    """Writes submitted from many threads, committed together by one."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        write_refusal: Callable[[Session, GatewayError], None],
        new_unit: Callable[[Session], None] = lambda session: None,
    ) -> None:
        self._sessions = sessions
        self._write_refusal = write_refusal
        self._new_unit = new_unit
        self._queue: queue.SimpleQueue[_Write[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, work: Callable[[Session], T]) -> Future[T]:
        """Queues `work` for the next group; the future resolves once that is committed."""
        self._ensure_started()
        write: _Write[T] = _Write(work)
        self._queue.put(write)
        return write.future

    def run(self, work: Callable[[Session], T]) -> T:
        return self.submit(work).result()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start:
            if self._thread is None:
                thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                thread.start()
                self._thread = thread

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            if not self._commit(first):
                return

    def _commit(self, first: _Write[Any]) -> bool:
        """Commits `first` with every write queued by the time the write lock is ours.

        The group is formed only once the lock is held: on SQLite with several worker
        processes the wait for it is where the next writes gather. Returns False once
        asked to stop.
        """
        group = [first]
        running = True
        session: Session | None = None
        try:
            session = self._sessions()
            with session.begin():
                session.connection()  # BEGIN IMMEDIATE: the write lock
                done = 0
                while done < len(group):
                    self._one(session, group[done])
                    done += 1
                    while running and len(group) < MAX_GROUP:
                        try:
                            more = self._queue.get_nowait()
                        except queue.Empty:
                            break
                        if more is None:
                            running = False
                        else:
                            group.append(more)
        except BaseException as exc:  # the commit failed: no write of the group holds
            for write in group:
                write.result, write.error = None, exc
        finally:
            try:
                if session is not None:
                    session.close()
            finally:
                for write in group:
                    _answer(write)
        return running

    def _one(self, session: Session, write: _Write[Any]) -> None:
        if not write.future.set_running_or_notify_cancel():
            return  # its caller gave up before it began: nothing written, nothing answered
        self._new_unit(session)  # its entries share a transaction id of their own
        try:
            with session.begin_nested():
                write.result = write.context.run(write.work, session)
        except GatewayError as exc:
            write.context.run(self._write_refusal, session, exc)
            write.error = exc
        except Exception as exc:  # the caller sees it as if it had written alone
            write.error = exc


def _answer(write: _Write[Any]) -> None:
    try:
        if write.error is not None:
            write.future.set_exception(write.error)
        else:
            write.future.set_result(write.result)
    except InvalidStateError:  # cancelled by its caller before it began
        pass
