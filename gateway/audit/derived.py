"""An audit entry is stored as its canonical bytes (`leaf`); the database derives every
other column from them, so that what is searched and shown is what is hashed.

Each derived column is a generated column (`GENERATED ALWAYS AS (...)`): the database
refuses to write it and computes it from `leaf`, on SQLite when it is read (a virtual
column; an index keeps its value), on PostgreSQL on insert (stored). On SQLite the
bytes are read with `json_extract`, on PostgreSQL with `jsonb`; `time` is turned into
each one's timestamp form (immutable expressions only, as PostgreSQL requires).
Verification (`gateway.audit.verify`) hashes only `leaf`, and checks with
`intact_schema` that no column has stopped being derived or is derived otherwise.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Computed
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import NullType

TABLE = "audit_entries"
# Every column but `seq` and `leaf`, in the table's order.
DERIVED = (
    "time",
    "org",
    "actor",
    "actor_role",
    "purpose",
    "legal_basis",
    "subject_ref",
    "categories",
    "action",
    "object_id",
    "decision",
    "code",
    "rule",
    "policy_version",
    "request_id",
    "owner",
    "transaction_id",
    "trace_id",
    "prev_hash",
)


def _sqlite(name: str) -> str:
    value = f"json_extract(leaf, '$.{name}')"
    if name == "time":  # 2026-12-01T09:00:00.000001+00:00 -> SQLAlchemy's stored form
        return f"substr({value}, 1, 10) || ' ' || substr({value}, 12, 15)"
    return value


# year, month, day, hour, minute: whole; seconds with the microseconds.
_TIME_PARTS = ((1, 4, "int"), (6, 2, "int"), (9, 2, "int"), (12, 2, "int"), (15, 2, "int"),
               (18, 9, "float8"))  # fmt: skip


def _postgresql(name: str) -> str:
    if name == "categories":
        return "((leaf)::jsonb -> 'categories')::json"
    if name == "time":  # make_timestamp is immutable; a cast from text is not
        text = "((leaf)::jsonb ->> 'time')"
        parts = ", ".join(f"(substr({text}, {at}, {n}))::{kind}" for at, n, kind in _TIME_PARTS)
        return f"make_timestamp({parts})"
    return f"((leaf)::jsonb ->> '{name}')"


EXPRESSIONS = {"sqlite": _sqlite, "postgresql": _postgresql}


def expression(name: str, dialect: str) -> str:
    """The SQL that derives column `name` from `leaf` on `dialect`."""
    return EXPRESSIONS[dialect](name)


class _FromLeaf(ColumnElement[Any]):
    """A derived column's expression; written out per dialect when the DDL is made."""

    inherit_cache = True
    type = NullType()

    def __init__(self, name: str) -> None:
        self.name = name


@compiles(_FromLeaf)
def _compile(element: _FromLeaf, compiler: SQLCompiler, **kw: Any) -> str:
    return expression(element.name, compiler.dialect.name)


def computed(name: str) -> Computed:
    """Virtual where the database has virtual columns (SQLite: computed when read, so
    nothing is stored twice), stored on PostgreSQL (migration 0024 says which)."""
    return Computed(_FromLeaf(name))


def intact_schema(connection: Connection) -> str | None:
    """Is `audit_entries` still a table whose columns are all derived from `leaf`, as
    the gateway made it? The problem, if not. (A column turned into a plain one, or
    derived by another expression, could be written apart from the hashed bytes.)"""
    if connection.dialect.name == "postgresql":
        return _intact_postgresql(connection)
    return _intact_sqlite(connection)


def _normal(sql: str) -> str:
    return "".join(sql.split()).replace('"', "").lower()


def _intact_sqlite(connection: Connection) -> str | None:
    row = connection.exec_driver_sql(
        "SELECT type, sql FROM sqlite_master WHERE name = ?", (TABLE,)
    ).first()
    if row is None or row[0] != "table":
        return "the log's table is missing or is no table"
    info = connection.exec_driver_sql(f"PRAGMA table_xinfo({TABLE})").all()
    generated = {r[1] for r in info if r[6] == 2}  # hidden 2: a virtual generated column
    if {r[1] for r in info} != {"seq", "leaf", *DERIVED} or generated != set(DERIVED):
        return "the log's table has columns that are not derived from the stored entries"
    found = _normal(row[1])
    for name in DERIVED:
        wanted = re.escape(f"generatedalwaysas({_normal(_sqlite(name))})")
        if not re.search(rf"[(,]{name}[a-z]*(\([0-9]+\))?{wanted}(virtual)?(notnull)?[,)]", found):
            return f"the log's column {name} is not derived from the stored entry"
    return None


_PG_COLUMNS = """
SELECT a.attname, a.attgenerated, pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = CAST(%(table)s AS regclass) AND a.attnum > 0 AND NOT a.attisdropped
"""


def _intact_postgresql(connection: Connection) -> str | None:
    kind = connection.exec_driver_sql(
        "SELECT relkind FROM pg_class WHERE oid = to_regclass(%(table)s)", {"table": TABLE}
    ).scalar()
    if kind != "r":
        return "the log's table is missing or is no table"
    found = {
        name: (generated, expr)
        for name, generated, expr in connection.exec_driver_sql(_PG_COLUMNS, {"table": TABLE})
    }
    if set(found) != {"seq", "leaf", *DERIVED}:
        return "the log's table has columns that are not derived from the stored entries"
    # The server writes the expressions back in its own form: compare with how it writes
    # the ones the gateway makes, derived for a table of its own that lives as long as
    # this transaction.
    wanted = _pg_expected(connection)
    for name in DERIVED:
        if found[name][0] != "s" or found[name][1] != wanted[name]:
            return f"the log's column {name} is not derived from the stored entry"
    return None


def _pg_expected(connection: Connection) -> dict[str, str]:
    probe = "audit_entries_expected"
    columns = ", ".join(
        f"{name} text GENERATED ALWAYS AS ({_postgresql(name)}) STORED"
        for name in DERIVED
        if name not in ("time", "categories")
    )
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {probe} (leaf text, "
        f"time timestamp GENERATED ALWAYS AS ({_postgresql('time')}) STORED, "
        f"categories json GENERATED ALWAYS AS ({_postgresql('categories')}) STORED, {columns}) "
        "ON COMMIT DROP"
    )
    rows = connection.exec_driver_sql(_PG_COLUMNS, {"table": f"pg_temp.{probe}"})
    return {name: expr for name, _, expr in rows if name != "leaf"}
