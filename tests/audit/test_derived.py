"""An entry is stored as the bytes it is hashed over, and every other column is derived
from them by the database: for any entry (values JSON escapes, nulls, the optional
fields set or not, categories in any order, any microsecond) the columns read back say
exactly what was appended and rebuild the stored bytes; the columns cannot be written
apart from the bytes; a table whose column stopped being derived fails verification."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import URL, create_engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.chain import canonical_text
from gateway.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from gateway.audit.service import AuditEvent
from gateway.audit.verify import verify_log
from gateway.core import migrate
from gateway.core.db import Database
from tests.support.audit import PERMIT
from tests.support.gateway import Gateway

TRICKY = ["plain", 'a"b', "a\\b", "é", "\x7f", "tab\t", "", "ü\u2028", "😀", "\x01", "</x>"]
TEXTS = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
)
MAYBE = st.one_of(st.none(), TEXTS)
EVENTS = st.builds(
    AuditEvent,
    org=TEXTS,
    actor=MAYBE,
    actor_role=MAYBE,
    purpose=TEXTS,
    action=TEXTS,
    decision=st.just(PERMIT),
    subject_ref=MAYBE,
    object_id=MAYBE,
    categories=st.frozensets(TEXTS, max_size=4),
    request_id=MAYBE,
    owner=MAYBE,
    trace_id=st.one_of(st.none(), st.sampled_from(["4bf92f3577b34da6a3ce929d0e0e4736", 'x"y'])),
)
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def reset(session: Session) -> None:
    session.execute(delete(AuditEntry))
    session.execute(update(AuditHead).values(seq=0, hash=GENESIS_HASH))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=st.lists(EVENTS, min_size=1, max_size=20), micros=st.integers(0, 10**6 - 1))
def test_the_columns_say_what_was_appended_and_rebuild_the_stored_bytes(
    gateway: Gateway, events: list[AuditEvent], micros: int
) -> None:
    db = gateway.services.db
    appended = []
    with db.sessions() as session, session.begin():
        reset(session)
        for n, event in enumerate(events):
            now = START + timedelta(seconds=n, microseconds=micros if n % 2 else 0)
            entry = audit.append(session, event, now=now)
            appended.append((entry.leaf, entry.time, event))
    with db.sessions() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        for row, (leaf, time, event) in zip(rows, appended, strict=True):
            assert row.leaf == leaf and canonical_text(row) == leaf
            assert (row.time, row.org, row.actor, row.subject_ref) == (
                time,
                event.org,
                event.actor,
                event.subject_ref,
            )
            assert row.categories == sorted(event.categories)
            owner = event.owner if event.owner != event.org else None
            assert (row.owner, row.trace_id, row.decision) == (owner, row.trace_id, "permit")
        assert verify_log(session).ok


def test_each_value_json_escapes_alone_in_an_otherwise_plain_entry(gateway: Gateway) -> None:
    plain = AuditEvent(
        org="o", actor="a", actor_role="r", purpose="p.q", action="x", decision=PERMIT
    )
    events = [plain]
    for value in TRICKY:
        events += [
            replace(plain, org=value),
            replace(plain, actor=value),
            replace(plain, owner=value),
            replace(plain, categories=frozenset({value, "z"})),
        ]
    with gateway.services.db.sessions() as session, session.begin():
        for n, event in enumerate(events):
            audit.append(session, event, now=START + timedelta(seconds=n))
    with gateway.services.db.sessions() as session:
        for row in session.scalars(select(AuditEntry)):
            assert canonical_text(row) == row.leaf
        assert verify_log(session).ok


def _fill(gateway: Gateway, count: int) -> None:
    plain = AuditEvent(org="o", actor="a", actor_role=None, purpose="p.q", action="x",
                       decision=PERMIT)  # fmt: skip
    with gateway.services.db.sessions() as session, session.begin():
        for n in range(count):
            audit.append(session, plain, now=START + timedelta(seconds=n))


@pytest.mark.parametrize("column", ["org", "decision", "time", "categories", "prev_hash"])
def test_a_derived_column_cannot_be_written(gateway: Gateway, column: str) -> None:
    _fill(gateway, 2)
    value = {"time": "2020-01-01 00:00:00", "categories": "[]"}.get(column, "x")
    with pytest.raises(DBAPIError), gateway.services.db.sessions() as session, session.begin():
        session.execute(text(f"UPDATE audit_entries SET {column} = :v WHERE seq = 2"), {"v": value})


def test_a_column_that_stopped_being_derived_fails_verification(
    gateway: Gateway, database_url: str
) -> None:
    """Whoever can change the schema makes a column plain, then writes it apart from
    the hashed bytes: the bytes still verify, the table's schema does not."""
    _fill(gateway, 3)
    with gateway.services.db.sessions() as session:
        assert verify_log(session).ok
    engine = create_engine(database_url)
    with engine.begin() as connection:
        if database_url.startswith("postgresql"):
            connection.exec_driver_sql("ALTER TABLE audit_entries ALTER COLUMN org DROP EXPRESSION")
            connection.exec_driver_sql("UPDATE audit_entries SET org = 'forged' WHERE seq = 2")
        else:
            # SQLite keeps the table's definition as text: rewritten, the column's
            # expression says something else.
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'audit_entries'"
            ).scalar_one()
            forged = sql.replace("json_extract(leaf, '$.org')", "'forged'")
            assert forged != sql
            connection.exec_driver_sql("PRAGMA writable_schema = ON")
            connection.exec_driver_sql(
                "UPDATE sqlite_master SET sql = ? WHERE name = 'audit_entries'", (forged,)
            )
            connection.exec_driver_sql("PRAGMA writable_schema = OFF")
    engine.dispose()
    fresh = create_engine(database_url)
    with Session(fresh) as session:
        result = verify_log(session)
    fresh.dispose()
    assert not result.ok
    assert result.problem == (
        "the log's column org is not derived from the stored entry"
        if database_url.startswith("postgresql")
        else "the log's table is not defined as the gateway defines it"
    )


def test_worker_processes_open_a_database_whose_path_needs_escaping(tmp_path: Path) -> None:
    url = URL.create("sqlite", database=str(tmp_path / "log #1 ?.db")).render_as_string()
    migrate.upgrade(url)
    db = Database.connect(url)
    plain = AuditEvent(org="o", actor="a", actor_role=None, purpose="p.q", action="x",
                       decision=PERMIT)  # fmt: skip
    with db.sessions() as session, session.begin():
        for n in range(9):
            audit.append(session, plain, now=START + timedelta(seconds=n))
    with db.sessions() as session:
        result = verify_log(session, jobs=2, chunk_level=2)
    db.dispose()
    assert result.ok and result.checked == 9
