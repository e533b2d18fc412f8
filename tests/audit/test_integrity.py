"""What someone who can write to the database could do to make the officer's view
differ from the hashed entries, and how verification catches each (found by an attack
review): a column's expression rewritten behind a comment, a stale index, entries
outside the log's numbering, a trigger, row-level security, a shadowing operator, a
catalog edit, and deleted checkpoints with the log rewritten or cut short."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.derived import DERIVED, postgresql_expression
from gateway.audit.models import AuditCheckpoint, AuditEntry, AuditHead, AuditTree
from gateway.audit.verify import Verification, verify_log, witness_notes
from tests.support.audit import publish, read_event, rechain, rewrite
from tests.support.gateway import Gateway

COMMENTED = (
    "org TEXT NOT NULL GENERATED ALWAYS AS (CASE WHEN seq = 2 THEN 'org_x' ELSE "
    "json_extract(leaf, '$.org') END) /*,org TEXT NOT NULL GENERATED ALWAYS AS "
    "(json_extract(leaf, '$.org')),*/"
)
TYPES = {"time": "timestamp", "categories": "json"}
ORG = "org TEXT NOT NULL GENERATED ALWAYS AS (json_extract(leaf, '$.org'))"


def fill(gateway: Gateway, count: int) -> None:
    with gateway.services.db.sessions() as session, session.begin():
        for n in range(count):
            audit.append(session, read_event(f"org_{n % 3}", f"sr_{n}"), now=gateway.clock.now())


def verify(url: str, **options: object) -> Verification:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return verify_log(session, **options)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def tamper(url: str, *statements: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


def _schema(connection: Connection, old: str, new: str) -> None:
    sql = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE name = 'audit_entries'"
    ).scalar_one()
    assert old in sql
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    connection.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE name = 'audit_entries'", (sql.replace(old, new),)
    )
    connection.exec_driver_sql("PRAGMA writable_schema = OFF")


def _sqlite_schema(url: str, old: str, new: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        _schema(connection, old, new)
    engine.dispose()


def test_an_expression_rewritten_behind_a_comment_is_caught(
    gateway: Gateway, database_url: str
) -> None:
    if database_url.startswith("postgresql"):
        tamper(database_url, "ALTER TABLE audit_entries ALTER COLUMN org DROP EXPRESSION")
    else:
        fill(gateway, 3)
        _sqlite_schema(database_url, ORG, COMMENTED)
    assert not verify(database_url).ok


def test_an_index_that_no_longer_holds_what_the_entries_say_is_caught_by_the_deep_check(
    gateway: Gateway, database_url: str
) -> None:
    """SQLite: the index rebuilt under another expression, the definition put back: the
    officer's search by organisation misses an entry. PostgreSQL: a stored value
    written while the catalog said the column was plain, the catalog put back."""
    fill(gateway, 4)
    if database_url.startswith("postgresql"):
        tamper(
            database_url,
            "UPDATE pg_attribute SET attgenerated = '' WHERE attrelid = "
            "'audit_entries'::regclass AND attname = 'org'",
            "UPDATE audit_entries SET org = 'org_x' WHERE seq = 2",
            "UPDATE pg_attribute SET attgenerated = 's' WHERE attrelid = "
            "'audit_entries'::regclass AND attname = 'org'",
        )
    else:
        _sqlite_schema(database_url, ORG, COMMENTED.split(" /*")[0])
        tamper(database_url, "REINDEX ix_audit_entries_org_seq")
        _sqlite_schema(database_url, COMMENTED.split(" /*")[0], ORG)
    assert verify(database_url).ok  # the bytes and the definitions are as they were
    found = verify(database_url, deep=True)
    assert not found.ok and found.problem is not None


def test_entries_outside_the_numbering_are_caught(gateway: Gateway, database_url: str) -> None:
    fill(gateway, 3)
    tamper(
        database_url,
        "INSERT INTO audit_entries (seq, leaf) SELECT 0, leaf FROM audit_entries WHERE seq = 2",
    )
    found = verify(database_url)
    assert not found.ok and found.problem == "entries before the first"


@pytest.mark.parametrize("kind", ["trigger", "policy"])
def test_anything_attached_to_the_audit_tables_is_caught(
    gateway: Gateway, database_url: str, kind: str
) -> None:
    fill(gateway, 3)
    if database_url.startswith("postgresql"):
        statements = {
            "trigger": [
                "CREATE FUNCTION tidy() RETURNS trigger LANGUAGE plpgsql AS "
                "'BEGIN RETURN NEW; END'",
                "CREATE TRIGGER tidy AFTER UPDATE ON audit_head "
                "FOR EACH ROW EXECUTE FUNCTION tidy()",
            ],
            "policy": [
                "ALTER TABLE audit_entries ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY blind ON audit_entries USING (seq <> 2)",
            ],
        }[kind]
    else:  # SQLite has no policies: a trigger on the head, or on the entries themselves
        statements = [
            "CREATE TRIGGER tidy AFTER UPDATE ON audit_head BEGIN "
            "DELETE FROM audit_entries WHERE seq = NEW.seq AND action = 'audit.export'; END"
            if kind == "trigger"
            else "CREATE TRIGGER tidy AFTER INSERT ON audit_entries WHEN NEW.action = "
            "'audit.export' BEGIN DELETE FROM audit_entries WHERE seq = NEW.seq; END"
        ]
    tamper(database_url, *statements)
    found = verify(database_url)
    assert not found.ok and "attached" in (found.problem or "")


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_shadowing_operator_is_caught(gateway: Gateway, database_url: str) -> None:
    """PostgreSQL: an operator `->>` of another schema, first on the search path, under
    which every derived column is made again: it prints like the real one unless the
    path puts pg_catalog first."""
    fill(gateway, 3)
    tamper(
        database_url,
        "CREATE SCHEMA evil",
        "CREATE FUNCTION evil.pick(jsonb, text) RETURNS text LANGUAGE sql IMMUTABLE AS "
        "$$ SELECT CASE WHEN $2 = 'org' THEN 'org_x' "
        "ELSE pg_catalog.jsonb_object_field_text($1, $2) END $$",
        "CREATE OPERATOR evil.->> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = evil.pick)",
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %%I SET search_path = evil, pg_catalog, "
        "public', current_database()); END $$",
        "SET search_path = evil, pg_catalog, public",
        *(f"ALTER TABLE audit_entries DROP COLUMN {name}" for name in DERIVED),
        *(
            f"ALTER TABLE audit_entries ADD COLUMN {name} {TYPES.get(name, 'text')} "
            f"GENERATED ALWAYS AS ({postgresql_expression(name)}) STORED"
            for name in DERIVED
        ),
    )
    assert not verify(database_url).ok


def test_deleted_checkpoints_with_the_log_rewritten_are_caught(
    gateway: Gateway, tmp_path: Path
) -> None:
    """Without the stored checkpoints, a rewritten chain is self-consistent: the tree's
    row still says what was published; with that reset too, the witness's copy does."""
    fill(gateway, 6)
    publish(gateway)
    fill(gateway, 3)
    publish(gateway)
    key = gateway.keyring.checkpoints.active(gateway.settings.audit_origin)
    with gateway.services.db.sessions() as session:
        notes = "\n".join(c.note for c in session.scalars(select(AuditCheckpoint)))
    witness = witness_notes(notes)
    assert len(witness) == 2
    with gateway.services.db.sessions() as session, session.begin():
        session.execute(delete(AuditCheckpoint))
        rewrite(session, 4, org="org_x")
        rechain(session)
    with gateway.services.db.sessions() as session:
        found = verify_log(session, keys=[key.verifier])
        assert not found.ok and found.problem == "the checkpoint of size 9 is missing"
    with gateway.services.db.sessions() as session, session.begin():
        session.execute(update(AuditTree).values(size=0))
    with gateway.services.db.sessions() as session:
        assert verify_log(session, keys=[key.verifier]).ok  # nothing left to tell
        found = verify_log(session, keys=[key.verifier], witnessed=witness)
        assert not found.ok
        assert found.problem == "the log does not match the signed checkpoint of size 6"
    # Cut short instead: the witness names the size the log no longer reaches.
    with gateway.services.db.sessions() as session, session.begin():
        session.execute(delete(AuditEntry).where(AuditEntry.seq > 5))
        last = session.scalar(select(AuditEntry.leaf).where(AuditEntry.seq == 5))
        assert last is not None
        digest = hashlib.sha256(last.encode()).hexdigest()
        session.execute(update(AuditHead).values(seq=5, hash=digest))
    with gateway.services.db.sessions() as session:
        found = verify_log(session, keys=[key.verifier], witnessed=witness)
        assert not found.ok
    assert found.problem == "entries are missing at the end"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL: text only
def test_an_entry_stored_as_a_blob_is_named_not_a_crash(
    gateway: Gateway, database_url: str
) -> None:
    fill(gateway, 3)
    tamper(database_url, "UPDATE audit_entries SET leaf = CAST(leaf AS BLOB) WHERE seq = 2")
    assert verify(database_url, jobs=1).ok  # the same bytes: the same hashes
    found = verify(database_url, deep=True)
    assert not found.ok and found.problem == "entry 2 is not stored as text"
