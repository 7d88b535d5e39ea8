"""Spend tables: spend logs, daily aggregates, budget windows.

Revision ID: 0002_spend
Revises: 0001_access
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_spend"
down_revision = "0001_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lockgate_budget_windows",
        sa.Column("scope", sa.String(length=320), nullable=False),
        sa.Column("window", sa.BigInteger(), nullable=False),
        sa.Column("spend_nano", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "window", name=op.f("pk_lockgate_budget_windows")),
    )
    op.create_table(
        "lockgate_daily_spend",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=256), nullable=False),
        sa.Column("spend", sa.Float(), nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger(), nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("failed_requests", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "key_id", "user_id", "team_id", "model", name=op.f("pk_lockgate_daily_spend")
        ),
    )
    op.create_table(
        "lockgate_daily_tag_spend",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("tag", sa.String(length=256), nullable=False),
        sa.Column("spend", sa.Float(), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "tag", name=op.f("pk_lockgate_daily_tag_spend")),
    )
    op.create_table(
        "lockgate_spend_logs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("route", sa.String(length=32), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("end_user", sa.String(length=256), nullable=False),
        sa.Column("model", sa.String(length=256), nullable=False),
        sa.Column("model_group", sa.String(length=256), nullable=False),
        sa.Column("deployment", sa.String(length=256), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cached_tokens", sa.Integer(), nullable=False),
        sa.Column("total_tokens", sa.Integer(), nullable=False),
        sa.Column("spend", sa.Float(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("request_body", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockgate_spend_logs")),
    )
    op.create_index(
        "ix_lockgate_spend_logs_key_started",
        "lockgate_spend_logs",
        ["key_id", "started_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_lockgate_spend_logs_request_id"),
        "lockgate_spend_logs",
        ["request_id"],
        unique=False,
    )
    op.create_index(
        "ix_lockgate_spend_logs_started_at", "lockgate_spend_logs", ["started_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_lockgate_spend_logs_started_at", table_name="lockgate_spend_logs")
    op.drop_index(op.f("ix_lockgate_spend_logs_request_id"), table_name="lockgate_spend_logs")
    op.drop_index("ix_lockgate_spend_logs_key_started", table_name="lockgate_spend_logs")
    op.drop_table("lockgate_spend_logs")
    op.drop_table("lockgate_daily_tag_spend")
    op.drop_table("lockgate_daily_spend")
    op.drop_table("lockgate_budget_windows")
