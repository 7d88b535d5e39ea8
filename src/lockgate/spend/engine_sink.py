"""PostgreSQL (and any database but a SQLite file): spend batches written through the store's
engine with Core statements, one transaction per batch, every aggregate one statement
(executemany) rather than one per row.

Aggregate rows are sorted by primary key, so concurrent instances lock rows in the same
order (no deadlocks). On PostgreSQL (asyncpg) the log rows go in with COPY, in the batch's
transaction: far less work per row than an INSERT, for the gateway (no per-row parameter
processing in Python) and for the database server, which shares the machine.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson
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


_LOG_COLUMNS = (
    "request_id",
    "started_at",
    "route",
    "key_id",
    "user_id",
    "team_id",
    "organization_id",
    "end_user",
    "model",
    "model_group",
    "deployment",
    "prompt_tokens",
    "completion_tokens",
    "cached_tokens",
    "total_tokens",
    "spend",
    "latency_ms",
    "status",
    "tags",
    "request_body",
)


def _log_values(r: SpendRecord) -> tuple[Any, ...]:
    """A log row in `_LOG_COLUMNS` order."""
    return (
        r.request_id,
        utc_datetime(r.started_at),
        r.route,
        r.key_id,
        r.user_id,
        r.team_id,
        r.organization_id,
        r.end_user,
        r.model,
        r.model_group,
        r.deployment,
        r.prompt_tokens,
        r.completion_tokens,
        r.cached_tokens,
        r.prompt_tokens + r.completion_tokens,
        r.spend,
        r.latency_ms,
        r.status,
        list(r.tags),
        r.request_body,
    )


def _as_json_text(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row for COPY: its two JSON columns (the last two) as JSON text, as SQLAlchemy's
    JSON type writes them (a missing body is JSON ``null``). The usual values (no tags, no
    body) skip the encoders: the standard library's ``json.dumps(None)`` alone cost about
    as much as the rest of the row."""
    tags, body = row[-2], row[-1]
    tags_text = orjson.dumps(tags).decode() if tags else "[]"
    body_text = "null" if body is None else json.dumps(body)
    return (*row[:-2], tags_text, body_text)


async def _insert_logs(connection: AsyncConnection, rows: list[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL once the batch's transaction has begun; otherwise an INSERT."""
    table = _table(SpendLogRow)
    if connection.dialect.driver == "asyncpg":
        driver: Any = (await connection.get_raw_connection()).driver_connection
        if driver.is_in_transaction():  # begun by the statements before (it starts lazily)
            records = [_as_json_text(row) for row in rows]
            await driver.copy_records_to_table(table.name, records=records, columns=_LOG_COLUMNS)
            return
    await connection.execute(
        insert(table), [dict(zip(_LOG_COLUMNS, row, strict=True)) for row in rows]
    )


def _upsert_statement(
    dialect: str, table: Table, keys: Sequence[str], columns: Sequence[str]
) -> Any:
    """``INSERT ... ON CONFLICT (keys) DO UPDATE SET c = c + excluded.c`` for the others."""
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = make(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: table.c[c] + statement.excluded[c] for c in columns if c not in keys},
    )


class EngineSink:
    def __init__(self, store: Store) -> None:
        self._store = store
        # Upsert statements, built once: building one (its SET clause's expressions) cost
        # more than a batch's other statements together.
        self._upserts: dict[tuple[str, str, tuple[str, ...]], Any] = {}

    async def _upsert_add(
        self,
        connection: AsyncConnection,
        table: Table,
        keys: Sequence[str],
        rows: list[dict[str, Any]],
    ) -> None:
        if not rows:
            return
        rows.sort(key=lambda row: tuple(row[k] for k in keys))
        columns = tuple(rows[0])
        cache_key = (connection.dialect.name, table.name, columns)
        statement = self._upserts.get(cache_key)
        if statement is None:
            statement = _upsert_statement(connection.dialect.name, table, keys, columns)
            self._upserts[cache_key] = statement
        await connection.execute(statement, rows)

    def log_rows(self, records: Sequence[SpendRecord]) -> list[Any]:
        return [_log_values(r) for r in records]

    async def write(self, log_rows: list[Any], sums: BatchSums) -> None:
        daily = [dict(zip(_DAILY_COLUMNS, row, strict=True)) for row in sums.daily()]
        tags = [{"day": d, "tag": t, "spend": s, "requests": n} for d, t, s, n in sums.tags()]
        windows = [{"scope": s, "window": w, "spend_nano": n} for s, w, n in sums.windows()]
        async with self._store.engine.begin() as connection:
            upsert = self._upsert_add
            await upsert(connection, _table(DailySpendRow), _DAILY_COLUMNS[:5], daily)
            await upsert(connection, _table(DailyTagSpendRow), ("day", "tag"), tags)
            await upsert(connection, _table(BudgetWindowRow), ("scope", "window"), windows)
            for kind, added in sums.lifetime().items():
                table = _table(_ENTITIES[kind])
                statement = (
                    update(table)
                    .where(table.c.id == bindparam("ident"))
                    .values(spend=table.c.spend + bindparam("added"))
                )
                rows = [{"ident": i, "added": a} for i, a in sorted(added)]
                await connection.execute(statement, rows)
            if log_rows:  # last: by now the transaction has begun (see _insert_logs)
                await _insert_logs(connection, log_rows)

    async def aclose(self) -> None:
        return None  # the engine is the store's
