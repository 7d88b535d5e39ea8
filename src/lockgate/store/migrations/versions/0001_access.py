"""Access tables: organisations, teams, users, memberships, keys, budgets, end users.

Revision ID: 0001_access
Revises: None
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_access"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lockgate_budgets",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("max_budget", sa.Float(), nullable=True),
        sa.Column("soft_budget", sa.Float(), nullable=True),
        sa.Column("budget_duration", sa.String(length=16), nullable=True),
        sa.Column("tpm_limit", sa.BigInteger(), nullable=True),
        sa.Column("rpm_limit", sa.BigInteger(), nullable=True),
        sa.Column("max_parallel_requests", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockgate_budgets")),
    )
    op.create_table(
        "lockgate_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("key_name", sa.String(length=32), nullable=False),
        sa.Column("key_alias", sa.String(length=256), nullable=True),
        sa.Column("user_id", sa.String(length=128), nullable=True),
        sa.Column("team_id", sa.String(length=64), nullable=True),
        sa.Column("organization_id", sa.String(length=64), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("model_rpm_limit", sa.JSON(), nullable=False),
        sa.Column("model_tpm_limit", sa.JSON(), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("max_budget", sa.Float(), nullable=True),
        sa.Column("soft_budget", sa.Float(), nullable=True),
        sa.Column("budget_duration", sa.String(length=16), nullable=True),
        sa.Column("tpm_limit", sa.BigInteger(), nullable=True),
        sa.Column("rpm_limit", sa.BigInteger(), nullable=True),
        sa.Column("max_parallel_requests", sa.Integer(), nullable=True),
        sa.Column("spend", sa.Float(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockgate_keys")),
        sa.UniqueConstraint("digest", name=op.f("uq_lockgate_keys_digest")),
        sa.UniqueConstraint("key_alias", name=op.f("uq_lockgate_keys_key_alias")),
    )
    op.create_index(op.f("ix_lockgate_keys_team_id"), "lockgate_keys", ["team_id"], unique=False)
    op.create_index(op.f("ix_lockgate_keys_user_id"), "lockgate_keys", ["user_id"], unique=False)
    op.create_table(
        "lockgate_organizations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("alias", sa.String(length=256), nullable=True),
        sa.Column("max_budget", sa.Float(), nullable=True),
        sa.Column("soft_budget", sa.Float(), nullable=True),
        sa.Column("budget_duration", sa.String(length=16), nullable=True),
        sa.Column("tpm_limit", sa.BigInteger(), nullable=True),
        sa.Column("rpm_limit", sa.BigInteger(), nullable=True),
        sa.Column("max_parallel_requests", sa.Integer(), nullable=True),
        sa.Column("spend", sa.Float(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockgate_organizations")),
    )
    op.create_table(
        "lockgate_end_users",
        sa.Column("id", sa.String(length=256), nullable=False),
        sa.Column("alias", sa.String(length=256), nullable=True),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("budget_id", sa.String(length=64), nullable=True),
        sa.Column("spend", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["lockgate_budgets.id"],
            name=op.f("fk_lockgate_end_users_budget_id_lockgate_budgets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockgate_end_users")),
    )
    op.create_table(
        "lockgate_teams",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("alias", sa.String(length=256), nullable=True),
        sa.Column("organization_id", sa.String(length=64), nullable=True),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("max_budget", sa.Float(), nullable=True),
        sa.Column("soft_budget", sa.Float(), nullable=True),
        sa.Column("budget_duration", sa.String(length=16), nullable=True),
        sa.Column("tpm_limit", sa.BigInteger(), nullable=True),
        sa.Column("rpm_limit", sa.BigInteger(), nullable=True),
        sa.Column("max_parallel_requests", sa.Integer(), nullable=True),
        sa.Column("spend", sa.Float(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["lockgate_organizations.id"],
            name=op.f("fk_lockgate_teams_organization_id_lockgate_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockgate_teams")),
    )
    op.create_table(
        "lockgate_users",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("alias", sa.String(length=256), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=True),
        sa.Column("max_budget", sa.Float(), nullable=True),
        sa.Column("soft_budget", sa.Float(), nullable=True),
        sa.Column("budget_duration", sa.String(length=16), nullable=True),
        sa.Column("tpm_limit", sa.BigInteger(), nullable=True),
        sa.Column("rpm_limit", sa.BigInteger(), nullable=True),
        sa.Column("max_parallel_requests", sa.Integer(), nullable=True),
        sa.Column("spend", sa.Float(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["lockgate_organizations.id"],
            name=op.f("fk_lockgate_users_organization_id_lockgate_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockgate_users")),
    )
    op.create_table(
        "lockgate_memberships",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["lockgate_users.id"],
            name=op.f("fk_lockgate_memberships_user_id_lockgate_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockgate_memberships")),
        sa.UniqueConstraint(
            "scope",
            "scope_id",
            "user_id",
            name=op.f("uq_lockgate_memberships_scope_scope_id_user_id"),
        ),
    )
    op.create_index(
        op.f("ix_lockgate_memberships_scope_id"), "lockgate_memberships", ["scope_id"], unique=False
    )
    op.create_index(
        op.f("ix_lockgate_memberships_user_id"), "lockgate_memberships", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_lockgate_memberships_user_id"), table_name="lockgate_memberships")
    op.drop_index(op.f("ix_lockgate_memberships_scope_id"), table_name="lockgate_memberships")
    op.drop_table("lockgate_memberships")
    op.drop_table("lockgate_users")
    op.drop_table("lockgate_teams")
    op.drop_table("lockgate_end_users")
    op.drop_table("lockgate_organizations")
    op.drop_index(op.f("ix_lockgate_keys_user_id"), table_name="lockgate_keys")
    op.drop_index(op.f("ix_lockgate_keys_team_id"), table_name="lockgate_keys")
    op.drop_table("lockgate_keys")
    op.drop_table("lockgate_budgets")
