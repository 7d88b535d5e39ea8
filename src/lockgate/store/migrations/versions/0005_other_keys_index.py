"""SQLite: a partial index of the keys that are not plain, for the start-up load.

A plain key has nothing set but its id and digest. The start-up load reads the other keys
in full, and without this index it tested every row to find them (about 0.12 s for
100,000 keys). SQLite uses the index only for a query whose WHERE clause holds this exact
predicate, so it is a frozen copy of `lockgate.store.plain_keys.NOT_PLAIN` as it was
written here; a test checks that the start-up query still uses it. PostgreSQL gets no
index: it reads every key's plain flag in one pass.

Revision ID: 0005_other_keys_index
Revises: 0004_end_users
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_other_keys_index"
down_revision = "0004_end_users"
branch_labels = None
depends_on = None

_INDEX = "ix_lockgate_keys_other"


def _json_empty(column: str) -> str:
    texts = " OR ".join(f"CAST({column} AS TEXT) IS '{empty}'" for empty in ("[]", "{}", "null"))
    return f"({texts} OR {column} IS NULL)"


_NOT_PLAIN = (
    "NOT ("
    + " AND ".join(
        [
            "key_alias IS NULL",
            "user_id IS NULL",
            "team_id IS NULL",
            "organization_id IS NULL",
            _json_empty("models"),
            _json_empty("aliases"),
            _json_empty("tags"),
            "max_budget IS NULL",
            "soft_budget IS NULL",
            "budget_duration IS NULL",
            "tpm_limit IS NULL",
            "rpm_limit IS NULL",
            "max_parallel_requests IS NULL",
            _json_empty("model_rpm_limit"),
            _json_empty("model_tpm_limit"),
            "expires IS NULL",
            "blocked IS 0",
            _json_empty("metadata"),
        ]
    )
    + ")"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(_INDEX, "lockgate_keys", ["id"], sqlite_where=sa.text(_NOT_PLAIN))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index(_INDEX, table_name="lockgate_keys")
