"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
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
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_org"), ["org"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entries_subject_ref"), ["subject_ref"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_entries_time"), ["time"], unique=False)

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "data_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("kek_id", sa.String(length=64), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_keys")),
        sa.UniqueConstraint("subject_ref", "purpose", name=op.f("uq_data_keys_subject_ref")),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "key", name=op.f("pk_idempotency_records")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("brin", sa.String(length=8), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    op.create_table(
        "subjects",
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("identity", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("subject_ref", name=op.f("pk_subjects")),
    )
    op.create_table(
        "used_client_assertions",
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_used_client_assertions")),
    )
    op.create_table(
        "enrolments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_enrolments_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolments")),
    )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolments_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enrolments_subject_ref"), ["subject_ref"], unique=False
        )

    op.create_table(
        "oauth_clients",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("secret_hash", sa.String(length=255), nullable=True),
        sa.Column("jwks", sa.JSON(), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_oauth_clients_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_oauth_clients")),
    )
    with op.batch_alter_table("oauth_clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_clients_org_id"), ["org_id"], unique=False)

    op.create_table(
        "transfers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("sender_org_id", sa.String(length=40), nullable=False),
        sa.Column("recipient_org_id", sa.String(length=40), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("dossier", sa.LargeBinary(), nullable=False),
        sa.Column("inzage_date", sa.Date(), nullable=True),
        sa.Column("inzage_akkoord", sa.Boolean(), nullable=True),
        sa.Column("zienswijze", sa.LargeBinary(), nullable=True),
        sa.Column("conversation_date", sa.Date(), nullable=True),
        sa.Column("notes", sa.LargeBinary(), nullable=True),
        sa.Column("context", sa.LargeBinary(), nullable=True),
        sa.Column("retention", sa.String(length=40), nullable=True),
        sa.Column("policy_version", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_org_id"],
            ["organisations.id"],
            name=op.f("fk_transfers_recipient_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["sender_org_id"],
            ["organisations.id"],
            name=op.f("fk_transfers_sender_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transfers_recipient_org_id"), ["recipient_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_transfers_sender_org_id"), ["sender_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_transfers_subject_ref"), ["subject_ref"], unique=False)
    op.create_table(
        "break_glass_reviews",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=40), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("parents_told", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=128), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_break_glass_reviews_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass_reviews")),
    )
    with op.batch_alter_table("break_glass_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_break_glass_reviews_org_id"), ["org_id"], unique=False)

    # The chain starts at the genesis hash; every append moves this one row on.
    audit_head = sa.table(
        "audit_head",
        sa.column("id", sa.Integer),
        sa.column("seq", sa.BigInteger),
        sa.column("hash", sa.String),
    )
    op.bulk_insert(audit_head, [{"id": 1, "seq": 0, "hash": "0" * 64}])


def downgrade() -> None:
    with op.batch_alter_table("break_glass_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_break_glass_reviews_org_id"))

    op.drop_table("break_glass_reviews")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfers_subject_ref"))
        batch_op.drop_index(batch_op.f("ix_transfers_sender_org_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_recipient_org_id"))

    op.drop_table("transfers")
    with op.batch_alter_table("oauth_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_clients_org_id"))

    op.drop_table("oauth_clients")
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolments_subject_ref"))
        batch_op.drop_index(batch_op.f("ix_enrolments_org_id"))

    op.drop_table("enrolments")
    op.drop_table("used_client_assertions")
    op.drop_table("subjects")
    op.drop_table("organisations")
    op.drop_table("idempotency_records")
    op.drop_table("data_keys")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_time"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_subject_ref"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_org"))

    op.drop_table("audit_entries")
