"""Deployments added by API (encrypted credentials) and the audit log.

Revision ID: 0003_admin
Revises: 0002_spend
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_admin"
down_revision = "0002_spend"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lockgate_audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=256), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockgate_audit_log")),
    )
    op.create_index("ix_lockgate_audit_log_at", "lockgate_audit_log", ["at"], unique=False)
    op.create_table(
        "lockgate_model_deployments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("model_name", sa.String(length=256), nullable=False),
        sa.Column("params_encrypted", sa.Text(), nullable=False),
        sa.Column("encryption_key_id", sa.String(length=32), nullable=False),
        sa.Column("model_info", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockgate_model_deployments")),
    )
    op.create_index(
        op.f("ix_lockgate_model_deployments_model_name"),
        "lockgate_model_deployments",
        ["model_name"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_lockgate_model_deployments_model_name"), table_name="lockgate_model_deployments"
    )
    op.drop_table("lockgate_model_deployments")
    op.drop_index("ix_lockgate_audit_log_at", table_name="lockgate_audit_log")
    op.drop_table("lockgate_audit_log")
