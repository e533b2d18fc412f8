"""Group commit on SQLite: writes waiting for the write lock share one transaction, and
each is answered only by what that transaction made durable."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.core.clock import SystemClock
from gateway.core.db import Database
from gateway.core.errors import Forbidden
from tests.support.audit import read_event

NOW = SystemClock().now()


@pytest.fixture
def url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "gateway.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(url: str) -> Iterator[Database]:
    database = Database.connect(url)
    try:
        yield database
    finally:
        database.dispose()


def _append(org: str) -> Callable[[Session], int]:
    def work(session: Session) -> int:
        return audit.append(session, read_event(org), now=NOW).seq

    return work


def _orgs(db: Database) -> list[str]:
    with db.sessions() as session:
        return list(session.scalars(select(AuditEntry.org).order_by(AuditEntry.seq)))


def _commits(db: Database) -> list[int]:
    commits: list[int] = []
    event.listen(db.engine, "commit", lambda connection: commits.append(1))
    return commits


def _while_locked(url: str, submit: Callable[[], list[Future[int]]]) -> list[Future[int]]:
    """Submits writes while another writer holds SQLite's write lock, then lets go."""
    other = Database.connect(url)
    try:
        with other.unit_of_work() as session:
            session.connection()  # BEGIN IMMEDIATE: the write lock is the other's
            futures = submit()
    finally:
        other.dispose()
    return futures


def test_writes_that_waited_for_the_lock_are_committed_together(url: str, db: Database) -> None:
    assert db.group is not None
    commits = _commits(db)
    group = db.group
    futures = _while_locked(url, lambda: [group.submit(_append(f"org_{n}")) for n in range(6)])
    assert sorted(f.result(timeout=30) for f in futures) == [1, 2, 3, 4, 5, 6]
    assert _orgs(db) == [f"org_{n}" for n in range(6)]
    assert len(commits) == 1


def test_a_refused_write_is_rolled_back_alone_and_its_refusal_kept(url: str, db: Database) -> None:
    assert db.group is not None
    group = db.group

    def refused(session: Session) -> int:
        audit.append(session, read_event("org_refused_act"), now=NOW)
        error = Forbidden("Not yours.", code="not_yours")
        error.record = lambda s: audit.append(s, read_event("org_refusal"), now=NOW) and None
        raise error

    def broken(session: Session) -> int:
        audit.append(session, read_event("org_broken_act"), now=NOW)
        raise RuntimeError("a bug")

    futures = _while_locked(
        url,
        lambda: [
            group.submit(_append("org_before")),
            group.submit(refused),
            group.submit(broken),
            group.submit(_append("org_after")),
        ],
    )
    assert futures[0].result(timeout=30) == 1
    with pytest.raises(Forbidden):
        futures[1].result(timeout=30)
    with pytest.raises(RuntimeError):
        futures[2].result(timeout=30)
    assert futures[3].result(timeout=30) == 3
    assert _orgs(db) == ["org_before", "org_refusal", "org_after"]
    with db.sessions() as session:
        assert audit.verify(session).ok


def test_when_the_commit_fails_no_write_of_the_group_is_answered_as_done(
    url: str, db: Database
) -> None:
    assert db.group is not None
    group = db.group

    def fail_commit(session: Session) -> int:
        # A foreign key checked only at COMMIT makes SQLite refuse the commit itself.
        session.execute(text("PRAGMA defer_foreign_keys = ON"))
        session.execute(
            text(
                "INSERT INTO oauth_clients (client_id, org_id, scopes, created_at) "
                "VALUES ('c', 'org_that_is_not', '[]', '2026-01-01')"
            )
        )
        return audit.append(session, read_event("org_doomed"), now=NOW).seq

    futures = _while_locked(
        url, lambda: [group.submit(_append("org_first")), group.submit(fail_commit)]
    )
    for future in futures:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            future.result(timeout=30)
    assert _orgs(db) == []
    # The writer goes on with the next group.
    assert db.write(_append("org_next")) == 1


def test_a_write_its_caller_gave_up_on_before_it_began_is_not_made(url: str, db: Database) -> None:
    assert db.group is not None
    group = db.group

    def submit() -> list[Future[int]]:
        futures = [group.submit(_append("org_kept")), group.submit(_append("org_dropped"))]
        assert futures[1].cancel()
        return futures

    futures = _while_locked(url, submit)
    assert futures[0].result(timeout=30) == 1
    assert _orgs(db) == ["org_kept"]


def test_many_threads_writing_through_groups_keep_one_unbroken_chain(db: Database) -> None:
    with ThreadPoolExecutor(8) as pool:
        seqs = list(pool.map(lambda n: db.write(_append(f"org_{n}")), range(200)))
    assert sorted(seqs) == list(range(1, 201))
    with db.sessions() as session:
        result = audit.verify(session)
        assert result.ok, result.problem
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 200
