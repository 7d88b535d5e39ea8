"""End users and budgets as the /customer and /budget routes need them: an end user's
region, default model and metadata; a budget's per-model budgets and who changed it.

Revision ID: 0004_end_users
Revises: 0003_admin
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_end_users"
down_revision = "0003_admin"
branch_labels = None
depends_on = None

# A plain string default: SQLite then adds the column in place. (An expression default
# makes Alembic rebuild the table, and rebuilding lockgate_budgets would fire the end
# users' ON DELETE SET NULL and unlink every end user from its budget.)
_EMPTY_JSON = "{}"


def upgrade() -> None:
    op.add_column(
        "lockgate_end_users", sa.Column("allowed_model_region", sa.String(length=16), nullable=True)
    )
    op.add_column(
        "lockgate_end_users", sa.Column("default_model", sa.String(length=256), nullable=True)
    )
    op.add_column(
        "lockgate_end_users",
        sa.Column("metadata", sa.JSON(), nullable=False, server_default=_EMPTY_JSON),
    )
    op.add_column(
        "lockgate_budgets",
        sa.Column("model_max_budget", sa.JSON(), nullable=False, server_default=_EMPTY_JSON),
    )
    op.add_column("lockgate_budgets", sa.Column("created_by", sa.String(length=128), nullable=True))
    op.add_column(
        "lockgate_budgets", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("lockgate_budgets", sa.Column("updated_by", sa.String(length=128), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35), never a table rebuild (see above).
    for column in ("updated_by", "updated_at", "created_by", "model_max_budget"):
        op.drop_column("lockgate_budgets", column)
    for column in ("metadata", "default_model", "allowed_model_region"):
        op.drop_column("lockgate_end_users", column)
