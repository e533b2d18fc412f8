"""An audit entry is stored as its canonical bytes (`leaf`); the database derives every
other column from them, so that what is searched and shown is what is hashed.

Each derived column is a generated column (`GENERATED ALWAYS AS (...)`): the database
refuses to write it and computes it from `leaf`, on SQLite when it is read (a virtual
column; an index keeps its value), on PostgreSQL on insert (stored). On SQLite the
bytes are read with `json_extract`, on PostgreSQL with `jsonb`; `time` is turned into
each one's timestamp form (immutable expressions only, as PostgreSQL requires).
Verification (`gateway.audit.verify`) hashes only `leaf`, and checks
(`gateway.audit.integrity`) that no column has stopped being derived or is derived
otherwise.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Computed
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import NullType

from gateway.audit.chain import HASHED_FIELDS, OPTIONAL_FIELDS

TABLE = "audit_entries"
# Every column but `seq` and `leaf`: every hashed field, in the table's order.
DERIVED = (*HASHED_FIELDS[1:-1], *OPTIONAL_FIELDS, "prev_hash")


def sqlite_expression(name: str) -> str:
    value = f"json_extract(leaf, '$.{name}')"
    if name == "time":  # 2026-12-01T09:00:00.000001+00:00 -> SQLAlchemy's stored form
        return f"substr({value}, 1, 10) || ' ' || substr({value}, 12, 15)"
    return value


# year, month, day, hour, minute: whole; seconds with the microseconds.
_TIME_PARTS = ((1, 4, "int"), (6, 2, "int"), (9, 2, "int"), (12, 2, "int"), (15, 2, "int"),
               (18, 9, "float8"))  # fmt: skip


def postgresql_expression(name: str) -> str:
    if name == "categories":
        return "((leaf)::jsonb -> 'categories')::json"
    if name == "time":  # make_timestamp is immutable; a cast from text is not
        text = "((leaf)::jsonb ->> 'time')"
        parts = ", ".join(f"(substr({text}, {at}, {n}))::{kind}" for at, n, kind in _TIME_PARTS)
        return f"make_timestamp({parts})"
    return f"((leaf)::jsonb ->> '{name}')"


EXPRESSIONS = {"sqlite": sqlite_expression, "postgresql": postgresql_expression}


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
