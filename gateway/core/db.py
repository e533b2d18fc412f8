"""Database: the declarative base, the engine and the one transaction per request.

SQLite is the embedded default; PostgreSQL is supported for real. On SQLite every
transaction starts with BEGIN IMMEDIATE: nearly every act appends to the audit chain,
and a deferred transaction that reads first and writes later would fail with
SQLITE_BUSY instead of waiting its turn.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import secrets
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import JSON, DateTime, Engine, Insert, MetaData, create_engine, event, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from gateway.core.errors import GatewayError
from gateway.core.group_commit import GroupCommit

P = TypeVar("P")
T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC, always returned timezone-aware (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}  # noqa: RUF012


class _WriterQueue:
    """One writer at a time, handed over at once: threads queue on a lock, processes
    (`gateway serve --workers N`) on an exclusive flock of a file beside the database.

    SQLite's own busy handler polls with growing sleeps; under load its waiters would
    leave the write lock idle between transactions. Both waits here sleep in the
    kernel or the interpreter's lock and wake the moment the holder lets go.
    """

    def __init__(self, database_path: str | None) -> None:
        self._threads = threading.Lock()
        self._fd: int | None = None
        if database_path:
            self._fd = os.open(f"{database_path}.writer", os.O_RDWR | os.O_CREAT, 0o600)

    def close_with(self, owner: object) -> None:
        if self._fd is not None:
            weakref.finalize(owner, os.close, self._fd)

    def acquire(self) -> None:
        self._threads.acquire()
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self._threads.release()
                raise

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


class _NoQueue:
    """Readers take no write lock."""

    def acquire(self) -> None:
        return None

    def release(self) -> None:
        return None


_WRITER_PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000")
# A deferred transaction: one WAL snapshot for all its reads, and no write possible.
_READER_PRAGMAS = ("busy_timeout=30000", "query_only=ON")


def _configure_sqlite(engine: Engine, *, reader: bool = False) -> None:
    pragmas = _READER_PRAGMAS if reader else _WRITER_PRAGMAS

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # Take transaction control away from the driver so BEGIN IMMEDIATE is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    database = engine.url.database
    writer: _WriterQueue | _NoQueue = _NoQueue()
    if not reader:
        writer = _WriterQueue(database if database and database != ":memory:" else None)
        writer.close_with(engine)
    begin = "BEGIN" if reader else "BEGIN IMMEDIATE"

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writer.acquire()
        try:
            connection.exec_driver_sql(begin)
        except BaseException:
            writer.release()
            raise

    # The lock is let go only once the transaction really ended: these listeners end
    # it themselves; the driver's own commit or rollback that follows finds nothing
    # left to do (the connection is in autocommit mode outside our BEGIN).
    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        try:
            connection.connection.dbapi_connection.commit()
        finally:
            writer.release()

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        try:
            connection.connection.dbapi_connection.rollback()
        finally:
            writer.release()


def create_db_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=8,
        )
        _configure_sqlite(engine)
        return engine
    # No pre-ping (a round trip on every checkout); stale connections are recycled.
    return create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)


@dataclass(frozen=True, slots=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    # Read-only transactions beside the writers: on SQLite an engine of its own, without
    # the write lock; on PostgreSQL the same engine.
    readers: sessionmaker[Session]
    # On SQLite, writes that only write share a transaction (`write`); else None.
    group: GroupCommit | None = None

    @classmethod
    def connect(cls, url: str) -> Database:
        engine = create_db_engine(url)
        sessions = sessionmaker(engine, expire_on_commit=False)
        if not url.startswith("sqlite"):
            return cls(engine, sessions, sessions)
        reader = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8
        )
        _configure_sqlite(reader, reader=True)
        readers = sessionmaker(reader, expire_on_commit=False)
        return cls(engine, sessions, readers, GroupCommit(sessions, write_refusal, new_unit))

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction, for the part of an act that decides before it writes.

        A refusal raised while reading is still put on record, in a write transaction of
        its own, exactly as `unit_of_work` does.
        """
        session = self.readers()
        try:
            with session.begin():
                yield session
        except GatewayError as exc:
            if exc.record is not None:
                with self.unit_of_work() as writer:
                    write_refusal(writer, exc)
            raise
        finally:
            session.close()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error.

        A refusal carries its own audit entry (`gateway.audit.service.attempt`): the
        act is rolled back and the refusal alone is written, in a transaction of its
        own, so nothing of the act is stored but the refusal is logged.
        """
        session = self.sessions()
        try:
            with session.begin():
                yield session
        except GatewayError as exc:
            with session.begin():
                write_refusal(session, exc)
            raise
        finally:
            session.close()

    def write(self, work: Callable[[Session], T]) -> T:
        """Runs work that only writes what was decided before: committed when this returns.

        On SQLite it joins the writes waiting for the one write lock in a single
        transaction and fsync (`gateway.core.group_commit`); on PostgreSQL, whose
        writers run side by side, it is a unit of work of its own. Either way a refusal
        it raises is rolled back and recorded as `unit_of_work` records it.
        """
        if self.group is not None:
            return self.group.run(work)
        with self.unit_of_work() as session:
            return work(session)

    async def decide_then_write(
        self,
        decide: Callable[[], P],
        write: Callable[[Session, P], T],
        *,
        limiter: anyio.CapacityLimiter,
    ) -> T:
        """From the event loop: `decide` (reads only) in a worker thread under `limiter`,
        then `write` what it decided.

        On SQLite the write joins the next group commit and no thread waits for it, so
        the limiter bounds only the acts being worked on; on PostgreSQL both run in one
        trip to a thread, the write in a unit of work of its own.
        """
        group = self.group
        if group is None:

            def both() -> T:
                decided = decide()
                return self.write(lambda session: write(session, decided))

            return await anyio.to_thread.run_sync(both, limiter=limiter)
        decided = await anyio.to_thread.run_sync(decide, limiter=limiter)
        return await asyncio.wrap_future(group.submit(lambda session: write(session, decided)))

    def dispose(self) -> None:
        if self.group is not None:
            self.group.close()
        self.engine.dispose()
        reader = self.readers.kw.get("bind")
        if reader is not None and reader is not self.engine:
            reader.dispose()


@contextmanager
def savepoint_with_refusal(session: Session) -> Iterator[None]:
    """An act a page answers itself when refused: rolled back to a savepoint, its
    refusal written in the enclosing transaction, the error raised on to the page."""
    try:
        with session.begin_nested():
            yield
    except GatewayError as exc:
        write_refusal(session, exc)
        raise


def write_refusal(session: Session, exc: GatewayError) -> None:
    """Writes the refusal an error carries, once."""
    record, exc.record = exc.record, None
    if record is not None:
        record(session)


# A unit of work's ids, kept on its session while its transaction lasts.
TRANSACTION_ID, UNIT_TRACE_ID = "gateway.transaction_id", "gateway.trace_id"


def transaction_id(session: Session) -> str:
    """The id of the unit of work `session` is in: every audit entry it writes carries it.

    One per database transaction (`unit_of_work`), or per write of a group commit,
    which runs each caller's work in a savepoint of one shared transaction.
    """
    found = session.info.get(TRANSACTION_ID)
    if found is None:
        found = session.info[TRANSACTION_ID] = secrets.token_hex(16)
    return str(found)


def new_unit(session: Session) -> None:
    """Starts a unit of work of its own inside the session's transaction (a group write)."""
    session.info[TRANSACTION_ID] = secrets.token_hex(16)
    session.info.pop(UNIT_TRACE_ID, None)


@event.listens_for(Session, "after_transaction_end")
def _end_unit(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the transaction itself, not a savepoint in it
        session.info.pop(TRANSACTION_ID, None)
        session.info.pop(UNIT_TRACE_ID, None)


def insert_or_ignore(session: Session, model: type[Base], values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: when two first writes race, the first one wins."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def insert_row(session: Session, row: Base) -> None:
    """Writes one new row with a single cached INSERT, bypassing the unit of work.

    For hot paths that create a row and never touch it again in the transaction;
    the object stays transient.
    """
    table = row.__table__
    values = {column.key: getattr(row, column.key) for column in table.columns}
    session.connection().execute(_insert_for(type(row)), values)


@cache
def _insert_for(model: type[Base]) -> Insert:
    return insert(model)
