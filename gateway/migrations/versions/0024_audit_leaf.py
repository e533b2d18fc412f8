"""an audit entry is stored as the canonical bytes it is hashed over; the database
derives every other column from them (generated columns), and the chain hash is
computed from them rather than stored

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

BATCH = 5000
HASHED = (
    *("seq", "time", "org", "actor", "actor_role", "purpose", "legal_basis", "subject_ref"),
    *("categories", "action", "object_id", "decision", "code", "rule", "policy_version"),
    *("request_id", "prev_hash"),
)
OPTIONAL = ("owner", "transaction_id", "trace_id")
# (name, required); `time` and `categories` have types of their own.
TEXTS = (
    *(("org", True), ("actor", False), ("actor_role", False), ("purpose", True)),
    *(("legal_basis", False), ("subject_ref", False)),
)
MORE_TEXTS = (
    *(("action", True), ("object_id", False), ("decision", True), ("code", False)),
    *(("rule", True), ("policy_version", True), ("request_id", False), ("owner", False)),
    *(("transaction_id", False), ("trace_id", False), ("prev_hash", True)),
)
INDEXES = (
    ("ix_audit_entries_time", ["time"]),
    ("ix_audit_entries_subject_ref", ["subject_ref"]),
    ("ix_audit_entries_org_seq", ["org", "seq"]),
    ("ix_audit_entries_owner_seq", ["owner", "seq"]),
)


def _derive(name: str, dialect: str) -> str:
    """The expression deriving `name` from `leaf` (as of this revision)."""
    if dialect == "postgresql":
        if name == "categories":
            return "((leaf)::jsonb -> 'categories')::json"
        if name == "time":
            text = "((leaf)::jsonb ->> 'time')"
            spans = (
                *((1, 4, "int"), (6, 2, "int"), (9, 2, "int"), (12, 2, "int")),
                *((15, 2, "int"), (18, 9, "float8")),
            )
            parts = ", ".join(f"(substr({text}, {at}, {n}))::{kind}" for at, n, kind in spans)
            return f"make_timestamp({parts})"
        return f"((leaf)::jsonb ->> '{name}')"
    value = f"json_extract(leaf, '$.{name}')"
    if name == "time":
        return f"substr({value}, 1, 10) || ' ' || substr({value}, 12, 15)"
    return value


def _derived_table(dialect: str) -> list[Any]:
    def column(name: str, kind: Any, required: bool) -> sa.Column[Any]:
        # Virtual on SQLite (computed when read, nothing stored twice); PostgreSQL 15
        # has stored generated columns only.
        persisted = True if dialect == "postgresql" else None
        derived = sa.Computed(_derive(name, dialect), persisted=persisted)
        return sa.Column(name, kind, derived, nullable=not required)

    return [
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("leaf", sa.Text(), nullable=False),
        column("time", sa.DateTime(), True),
        *(column(name, sa.Text(), required) for name, required in TEXTS),
        column("categories", sa.JSON(), True),
        *(column(name, sa.Text(), required) for name, required in MORE_TEXTS),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_entries"),
    ]


def _canonical(row: Any) -> str:
    values = {name: getattr(row, name) for name in HASHED}
    values["time"] = row.time.replace(tzinfo=UTC).isoformat(timespec="microseconds")
    values["categories"] = sorted(row.categories)
    for name in OPTIONAL:
        if getattr(row, name) is not None:
            values[name] = getattr(row, name)
    return json.dumps(values, sort_keys=True, separators=(",", ":"))


def _set_aside(bind: sa.Connection) -> None:
    for name, _ in INDEXES:
        op.drop_index(name, table_name="audit_entries")
    op.rename_table("audit_entries", "audit_entries_old")
    if bind.dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE audit_entries_old RENAME CONSTRAINT pk_audit_entries "
            "TO pk_audit_entries_old"
        )


def _index() -> None:
    for name, columns in INDEXES:
        op.create_index(name, "audit_entries", columns)


def upgrade() -> None:
    bind = op.get_bind()
    _set_aside(bind)
    op.create_table("audit_entries", *_derived_table(bind.dialect.name))
    old = sa.table(
        "audit_entries_old",
        *(sa.column(n) for n in (*HASHED, *OPTIONAL) if n not in ("time", "categories")),
        sa.column("time", sa.DateTime()),
        sa.column("categories", sa.JSON()),
        sa.column("hash"),
    )
    new = sa.table("audit_entries", sa.column("seq"), sa.column("leaf"))
    after = 0
    while rows := bind.execute(
        sa.select(old).where(old.c.seq > after).order_by(old.c.seq).limit(BATCH)
    ).all():
        values = []
        for row in rows:
            leaf = _canonical(row)
            if hashlib.sha256(leaf.encode()).hexdigest() != row.hash:
                raise RuntimeError(
                    f"audit entry {row.seq} does not hold what its hash says: the log was "
                    "changed; `gateway audit verify` names the first such entry"
                )
            values.append({"seq": row.seq, "leaf": leaf})
        bind.execute(sa.insert(new), values)
        after = rows[-1].seq
    op.drop_table("audit_entries_old")
    _index()


def downgrade() -> None:
    bind = op.get_bind()
    _set_aside(bind)
    op.create_table(
        "audit_entries",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.Column("org", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=True),
        sa.Column("actor_role", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("legal_basis", sa.String(length=200), nullable=True),
        sa.Column("subject_ref", sa.String(length=64), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("policy_version", sa.String(length=80), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=True),
        sa.Column("transaction_id", sa.String(length=32), nullable=True),
        sa.Column("trace_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_entries"),
    )
    names = (*HASHED, *OPTIONAL)
    columns = ", ".join(names)
    op.execute(
        f"INSERT INTO audit_entries ({columns}, hash) "  # noqa: S608
        f"SELECT {columns}, '' FROM audit_entries_old"
    )
    old = sa.table("audit_entries_old", sa.column("seq"), sa.column("leaf"))
    target = sa.table("audit_entries", sa.column("seq"), sa.column("hash"))
    after = 0
    while rows := bind.execute(
        sa.select(old).where(old.c.seq > after).order_by(old.c.seq).limit(BATCH)
    ).all():
        for seq, leaf in rows:
            digest = hashlib.sha256(leaf.encode()).hexdigest()
            bind.execute(sa.update(target).where(target.c.seq == seq).values(hash=digest))
        after = rows[-1].seq
    op.drop_table("audit_entries_old")
    _index()
