"""Upgrading a log written before entries were stored as their bytes: every entry moves
over as the exact bytes its hash was taken of, and the log verifies; an entry whose
columns no longer match its hash stops the upgrade; downgrading gives the columns and
hashes back."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from gateway.audit.chain import canonical_text
from gateway.audit.models import GENESIS_HASH, AuditEntry
from gateway.audit.verify import verify_log
from gateway.core import migrate

START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    server = request.getfixturevalue("postgres")
    return str(server.create_database(f"m_{uuid.uuid4().hex[:12]}"))


def _old_rows(count: int) -> list[dict[str, Any]]:
    rows, previous = [], GENESIS_HASH
    for n in range(count):
        row: dict[str, Any] = {
            "seq": n + 1,
            "time": START + timedelta(seconds=n, microseconds=n * 7919),
            "org": f"org_{n % 3}",
            "actor": None if n % 2 else 'a"ctor',
            "actor_role": "ib",
            "purpose": "overdracht.po_vo",
            "legal_basis": "WPO art. 42",
            "subject_ref": f"sr_{n}é",
            "categories": ["school", "leerling"],
            "action": "transfer.read",
            "object_id": f"tr_{n}",
            "decision": "permit",
            "code": None,
            "rule": "r",
            "policy_version": "v1",
            "request_id": None,
            "owner": "org_9" if n == 2 else None,
            "transaction_id": f"{n:032x}" if n > 1 else None,
            "trace_id": f"{n:032x}" if n > 1 else None,
            "prev_hash": previous,
        }
        previous = row["hash"] = hashlib.sha256(
            canonical_text(SimpleNamespace(**row)).encode()
        ).hexdigest()
        rows.append(row)
    return rows


def _write_old(url: str, rows: list[dict[str, Any]]) -> None:
    migrate.upgrade(url, "0023")
    engine = create_engine(url)
    columns = [name for name in rows[0]]
    sql = text(
        f"INSERT INTO audit_entries ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)})"
    )
    with engine.begin() as connection:
        for row in rows:
            stored = row | {
                "time": row["time"].replace(tzinfo=None),
                "categories": '["school", "leerling"]',
            }
            connection.execute(sql, stored)
        connection.execute(
            text("UPDATE audit_head SET seq = :seq, hash = :hash"),
            {"seq": rows[-1]["seq"], "hash": rows[-1]["hash"]},
        )
    engine.dispose()


def test_the_old_log_moves_over_byte_for_byte_and_verifies(empty_url: str) -> None:
    rows = _old_rows(7)
    _write_old(empty_url, rows)
    migrate.upgrade(empty_url)
    engine = create_engine(empty_url)
    with Session(engine) as session:
        stored = session.query(AuditEntry).order_by(AuditEntry.seq).all()
        assert [entry.hash for entry in stored] == [row["hash"] for row in rows]
        assert [(e.time, e.actor, e.subject_ref, e.owner) for e in stored] == [
            (r["time"], r["actor"], r["subject_ref"], r["owner"]) for r in rows
        ]
        assert verify_log(session).ok
    engine.dispose()
    command.downgrade(migrate.alembic_config(empty_url), "0023")
    engine = create_engine(empty_url)
    with engine.connect() as connection:
        hashes = connection.execute(text("SELECT hash FROM audit_entries ORDER BY seq")).all()
    engine.dispose()
    assert [h for (h,) in hashes] == [row["hash"] for row in rows]


def test_an_entry_that_does_not_match_its_hash_stops_the_upgrade(empty_url: str) -> None:
    rows = _old_rows(4)
    rows[2]["org"] = "forged"  # changed after its hash was taken
    _write_old(empty_url, rows)
    with pytest.raises(RuntimeError, match="audit entry 3 does not hold what its hash says"):
        migrate.upgrade(empty_url)
