"""the consent registry: consents, their history and outbox, gezag

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("grantor_roles", sa.JSON(), nullable=False),
        sa.Column("grantor_refs", sa.JSON(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("evidence", sa.String(length=8), nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_until", sa.DateTime(), nullable=False),
        sa.Column("registered_by_org", sa.String(length=40), nullable=True),
        sa.Column("registered_by", sa.String(length=128), nullable=False),
        sa.Column("receipt", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=128), nullable=True),
        sa.Column("withdrawn_by_org", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["registered_by_org"],
            ["organisations.id"],
            name=op.f("fk_consents_registered_by_org_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consents_subject_ref_purpose", ["subject_ref", "purpose"], unique=False
        )

    op.create_table(
        "gezag_relations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("person_ref", sa.String(length=64), nullable=False),
        sa.Column("name", sa.LargeBinary(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("has_gezag", sa.Boolean(), nullable=False),
        sa.Column("registered_by_org", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registered_by_org"],
            ["organisations.id"],
            name=op.f("fk_gezag_relations_registered_by_org_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gezag_relations")),
    )
    with op.batch_alter_table("gezag_relations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gezag_relations_person_ref"), ["person_ref"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gezag_relations_subject_ref"), ["subject_ref"], unique=False
        )

    op.create_table(
        "consent_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("consent_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_consent_events_consent_id_consents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_events_consent_id"), ["consent_id"], unique=False
        )

    op.create_table(
        "consent_notifications",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("recipient_org_id", sa.String(length=40), nullable=False),
        sa.Column("consent_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_consent_notifications_consent_id_consents"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_org_id"],
            ["organisations.id"],
            name=op.f("fk_consent_notifications_recipient_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_notifications")),
    )
    with op.batch_alter_table("consent_notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_notifications_recipient_pending",
            ["recipient_org_id", "delivered_at"],
            unique=False,
        )

    op.create_table(
        "consent_recipients",
        sa.Column("consent_id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_consent_recipients_consent_id_consents")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_consent_recipients_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("consent_id", "org_id", name=op.f("pk_consent_recipients")),
    )


def downgrade() -> None:
    op.drop_table("consent_recipients")
    with op.batch_alter_table("consent_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_notifications_recipient_pending")

    op.drop_table("consent_notifications")
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_events_consent_id"))

    op.drop_table("consent_events")
    with op.batch_alter_table("gezag_relations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gezag_relations_subject_ref"))
        batch_op.drop_index(batch_op.f("ix_gezag_relations_person_ref"))

    op.drop_table("gezag_relations")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index("ix_consents_subject_ref_purpose")

    op.drop_table("consents")
