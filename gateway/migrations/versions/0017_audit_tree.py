"""the audit log's Merkle tree: stored subtree hashes and signed checkpoints

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_tree_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "position", name=op.f("pk_audit_tree_nodes")),
    )
    op.create_table(
        "audit_tree",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_tree")),
    )
    op.bulk_insert(
        sa.table("audit_tree", sa.column("id", sa.Integer()), sa.column("size", sa.BigInteger())),
        [{"id": 1, "size": 0}],
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column(
            "tree_size",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.Column("key_id", sa.String(length=300), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("witnessed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_audit_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_tree")
    op.drop_table("audit_tree_nodes")
