"""PostgreSQL (and any database but a SQLite file): spend batches written through the store's
engine with Core statements, one transaction per batch, every aggregate one statement
(executemany) rather than one per row.

Aggregate rows are sorted by primary key, so concurrent instances lock rows in the same
order (no deadlocks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from lockgate.spend.record import SpendRecord, utc_datetime
from lockgate.spend.sums import BatchSums
from lockgate.store import Store
from lockgate.store.access_tables import EndUserRow, KeyRow, OrganizationRow, TeamRow, UserRow
from lockgate.store.spend_tables import (
    BudgetWindowRow,
    DailySpendRow,
    DailyTagSpendRow,
    SpendLogRow,
)

__all__ = ["EngineSink"]

_DAILY_COLUMNS = (
    "day",
    "key_id",
    "user_id",
    "team_id",
    "model",
    "spend",
    "prompt_tokens",
    "completion_tokens",
    "requests",
    "failed_requests",
)
_ENTITIES: dict[str, Any] = {
    "key": KeyRow,
    "user": UserRow,
    "team": TeamRow,
    "organization": OrganizationRow,
    "end_user": EndUserRow,
}


def _table(row: Any) -> Table:
    table: Table = row.__table__
    return table


def _log_dict(r: SpendRecord) -> dict[str, Any]:
    return {
        "request_id": r.request_id,
        "started_at": utc_datetime(r.started_at),
        "route": r.route,
        "key_id": r.key_id,
        "user_id": r.user_id,
        "team_id": r.team_id,
        "organization_id": r.organization_id,
        "end_user": r.end_user,
        "model": r.model,
        "model_group": r.model_group,
        "deployment": r.deployment,
        "prompt_tokens": r.prompt_tokens,
        "completion_tokens": r.completion_tokens,
        "cached_tokens": r.cached_tokens,
        "total_tokens": r.prompt_tokens + r.completion_tokens,
        "spend": r.spend,
        "latency_ms": r.latency_ms,
        "status": r.status,
        "tags": list(r.tags),
        "request_body": r.request_body,
    }


async def _upsert_add(
    connection: AsyncConnection, table: Table, keys: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    rows.sort(key=lambda row: tuple(row[k] for k in keys))
    make = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = make(table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: table.c[c] + statement.excluded[c] for c in rows[0] if c not in keys},
    )
    await connection.execute(statement, rows)


class EngineSink:
    def __init__(self, store: Store) -> None:
        self._store = store

    def log_rows(self, records: Sequence[SpendRecord]) -> list[Any]:
        return [_log_dict(r) for r in records]

    async def write(self, log_rows: list[Any], sums: BatchSums) -> None:
        daily = [dict(zip(_DAILY_COLUMNS, row, strict=True)) for row in sums.daily()]
        tags = [{"day": d, "tag": t, "spend": s, "requests": n} for d, t, s, n in sums.tags()]
        windows = [{"scope": s, "window": w, "spend_nano": n} for s, w, n in sums.windows()]
        async with self._store.engine.begin() as connection:
            if log_rows:
                await connection.execute(insert(_table(SpendLogRow)), log_rows)
            await _upsert_add(connection, _table(DailySpendRow), _DAILY_COLUMNS[:5], daily)
            await _upsert_add(connection, _table(DailyTagSpendRow), ("day", "tag"), tags)
            await _upsert_add(connection, _table(BudgetWindowRow), ("scope", "window"), windows)
            for kind, added in sums.lifetime().items():
                table = _table(_ENTITIES[kind])
                statement = (
                    update(table)
                    .where(table.c.id == bindparam("ident"))
                    .values(spend=table.c.spend + bindparam("added"))
                )
                rows = [{"ident": i, "added": a} for i, a in sorted(added)]
                await connection.execute(statement, rows)

    async def aclose(self) -> None:
        return None  # the engine is the store's
