"""Which keys are *plain* (nothing set but id and digest: most keys), as SQL.

The start-up load reads plain keys as two columns and the others in full (see
`lockgate.keys.key_scan`). On SQLite the other keys are few, but finding them meant testing
every row: about 0.12 s for 100,000 keys, on the start-up's critical path. A partial index
holding only the other keys' ids (`OTHER_KEYS_INDEX`) turns that scan into a walk of the
few entries. SQLite uses a partial index only when the query's WHERE clause contains the
index's predicate term for term, so the query and the index share `NOT_PLAIN` (migration
0005 holds a frozen copy of its SQL; a test checks that the query plan uses the index).
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import (
    JSON,
    ColumnElement,
    Index,
    Text,
    and_,
    cast,
    literal_column,
    not_,
    or_,
)

from lockgate.store.access_tables import KeyRow

__all__ = ["EMPTY_JSON", "NOT_PLAIN", "OTHER_KEYS_INDEX", "PLAIN", "PLAIN_TAIL", "TAIL_COLUMNS"]

# JSON texts meaning "nothing here" (SQLite stores ``None`` as ``null``).
EMPTY_JSON: Final = ("[]", "{}", "null")

# The columns after id and digest, in the order of a scanned row.
TAIL_COLUMNS: Final = (
    KeyRow.key_alias,
    KeyRow.user_id,
    KeyRow.team_id,
    KeyRow.organization_id,
    KeyRow.models,
    KeyRow.aliases,
    KeyRow.tags,
    KeyRow.max_budget,
    KeyRow.soft_budget,
    KeyRow.budget_duration,
    KeyRow.tpm_limit,
    KeyRow.rpm_limit,
    KeyRow.max_parallel_requests,
    KeyRow.model_rpm_limit,
    KeyRow.model_tpm_limit,
    KeyRow.expires,
    KeyRow.blocked,
    KeyRow.metadata_,
)
# The tail of a plain key: no alias, owner, models, limits, expiry or metadata, not
# blocked. Blocked reads 0 on SQLite, False on PostgreSQL; both equal False.
PLAIN_TAIL: Final = (None,) * 16 + (False, None)


def _holds(column: Any, value: Any) -> ColumnElement[bool]:
    """Whether `column` reads as `value` (None or False) in a row, never NULL: a JSON
    column counts as empty when NULL or one of `EMPTY_JSON`, written as comparisons (on
    SQLite an ``IN`` probes a temporary index for every row)."""
    if not isinstance(column.type, JSON):
        holds: ColumnElement[bool] = column.is_(value)
        return holds
    text = cast(column, Text)
    # As SQL text: SQLAlchemy leaves ``IS`` parameters unrendered under literal_binds.
    empties = (literal_column(f"'{empty}'", Text) for empty in EMPTY_JSON)  # no quotes
    return or_(*map(text.is_not_distinct_from, empties), column.is_(None))


# A key is plain exactly when its tail is `PLAIN_TAIL`; never NULL, so NOT of it picks
# exactly the other keys.
PLAIN: Final = and_(*(_holds(c, v) for c, v in zip(TAIL_COLUMNS, PLAIN_TAIL, strict=True)))
NOT_PLAIN: Final = not_(PLAIN)

# SQLite only: PostgreSQL reads every key's plain flag in one COPY pass instead, and a
# partial index there would cost every key write for nothing.
OTHER_KEYS_INDEX: Final = Index("ix_lockgate_keys_other", KeyRow.id, sqlite_where=NOT_PLAIN).ddl_if(
    dialect="sqlite"
)
