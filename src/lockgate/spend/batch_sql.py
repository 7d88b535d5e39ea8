"""The statements one spend batch runs, in one transaction: insert the logs, add to the
daily aggregates, the budget windows and the entities' lifetime spend.

Rows are sorted by primary key before each upsert, so concurrent instances lock rows in the
same order (no deadlocks on PostgreSQL).
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import Any

import orjson
from sqlalchemy import Table, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from lockgate.spend.record import SpendRecord
from lockgate.store.access_tables import EndUserRow, KeyRow, OrganizationRow, TeamRow, UserRow
from lockgate.store.spend_tables import (
    BudgetWindowRow,
    DailySpendRow,
    DailyTagSpendRow,
    SpendLogRow,
)

__all__ = ["write_batch"]


async def _upsert_add(
    session: AsyncSession, table: Table, keys: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    rows.sort(key=lambda r: tuple(r[k] for k in keys))
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = make(table)
    added = [c for c in rows[0] if c not in keys]
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: table.c[c] + statement.excluded[c] for c in added},
    )
    await session.execute(statement, rows)


def _daily(records: Iterable[SpendRecord]) -> list[dict[str, Any]]:
    sums: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0.0, 0, 0, 0, 0])
    for r in records:
        day = r.started_at.date().isoformat()
        s = sums[(day, r.key_id, r.user_id, r.team_id, r.model_group or r.model)]
        s[0] += r.spend
        s[1] += r.prompt_tokens
        s[2] += r.completion_tokens
        s[3] += 1
        s[4] += 1 if r.failed else 0
    return [
        {
            "day": k[0],
            "key_id": k[1],
            "user_id": k[2],
            "team_id": k[3],
            "model": k[4],
            "spend": v[0],
            "prompt_tokens": int(v[1]),
            "completion_tokens": int(v[2]),
            "requests": int(v[3]),
            "failed_requests": int(v[4]),
        }
        for k, v in sums.items()
    ]


def _tags(records: Iterable[SpendRecord]) -> list[dict[str, Any]]:
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for r in records:
        day = r.started_at.date().isoformat()
        for tag in r.tags:
            s = sums[(day, tag)]
            s[0] += r.spend
            s[1] += 1
    return [
        {"day": d, "tag": t, "spend": v[0], "requests": int(v[1])} for (d, t), v in sums.items()
    ]


def _windows(records: Iterable[SpendRecord]) -> list[dict[str, Any]]:
    sums: dict[tuple[str, int], int] = defaultdict(int)
    for r in records:
        for scope, window, nano in r.windows:
            sums[(scope, window)] += nano
    return [{"scope": s, "window": w, "spend_nano": n} for (s, w), n in sums.items() if n]


async def _add_lifetime_spend(session: AsyncSession, records: Sequence[SpendRecord]) -> None:
    tables: list[tuple[Any, str]] = [
        (KeyRow, "key_id"),
        (UserRow, "user_id"),
        (TeamRow, "team_id"),
        (OrganizationRow, "organization_id"),
        (EndUserRow, "end_user"),
    ]
    for table, attr in tables:
        sums: dict[str, float] = defaultdict(float)
        for r in records:
            ident = getattr(r, attr)
            if ident and r.spend:
                sums[ident] += r.spend
        for ident in sorted(sums):
            await session.execute(
                update(table).where(table.id == ident).values(spend=table.spend + sums[ident])
            )


def _log_row(r: SpendRecord) -> dict[str, Any]:
    return {
        "request_id": r.request_id,
        "started_at": r.started_at,
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


# SQLite gets the rows through the driver, many rows per INSERT statement. SQLAlchemy's
# per-row bind processing cost about as much CPU as SQLite's own insert; and the driver's
# executemany releases and retakes the GIL around every row, so its thread forced the
# event loop's thread to hand over the GIL once per row (a convoy that cost the gateway
# 15-20 % of its throughput and most of its p99 at 1 connection, docs/benchmarks.md).
# Values are stored as the ORM stores them (UTC timestamps as SQLAlchemy's SQLite DATETIME
# text, JSON text), and the ORM reads them back unchanged (tests/spend/test_batch_sql.py).
_LOG_COLUMNS = 20
_ROWS_PER_STATEMENT = 400  # 8,000 parameters; SQLite allows 32,766 (250,000 here)
_SQLITE_INSERT_LOGS_HEAD = (
    "INSERT INTO lockgate_spend_logs (request_id, started_at, route, key_id, user_id, "
    "team_id, organization_id, end_user, model, model_group, deployment, prompt_tokens, "
    "completion_tokens, cached_tokens, total_tokens, spend, latency_ms, status, tags, "
    "request_body) VALUES "
)


@functools.lru_cache(maxsize=8)
def _sqlite_insert_logs(rows: int) -> str:
    """The INSERT for ``rows`` rows: placeholders only, no value is ever in the text."""
    one = "(" + ", ".join("?" * _LOG_COLUMNS) + ")"
    return _SQLITE_INSERT_LOGS_HEAD + ", ".join([one] * rows)


def _sqlite_log_row(r: SpendRecord) -> tuple[Any, ...]:
    started = r.started_at
    if started.tzinfo is not None:
        started = started.astimezone(UTC).replace(tzinfo=None)
    return (
        r.request_id,
        # SQLAlchemy's SQLite DATETIME text ("%Y-%m-%d %H:%M:%S.%f"); isoformat is faster.
        started.isoformat(" ", "microseconds"),
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
        orjson.dumps(list(r.tags)).decode(),
        orjson.dumps(r.request_body).decode(),
    )


async def _insert_logs(session: AsyncSession, records: Sequence[SpendRecord]) -> None:
    if session.get_bind().dialect.name == "sqlite":
        connection = await session.connection()
        for start in range(0, len(records), _ROWS_PER_STATEMENT):
            chunk = records[start : start + _ROWS_PER_STATEMENT]
            statement = _sqlite_insert_logs(len(chunk))
            values = tuple(itertools.chain.from_iterable(map(_sqlite_log_row, chunk)))
            await connection.exec_driver_sql(statement, values)
        return
    # Elsewhere a Core insert of the table (not the ORM entity): no ORM bookkeeping per row.
    spend_logs: Table = SpendLogRow.__table__  # type: ignore[assignment]
    await session.execute(insert(spend_logs), [_log_row(r) for r in records])


async def write_batch(session: AsyncSession, records: Sequence[SpendRecord]) -> None:
    await _insert_logs(session, records)
    await _upsert_add(
        session,
        DailySpendRow.__table__,  # type: ignore[arg-type]
        ("day", "key_id", "user_id", "team_id", "model"),
        _daily(records),
    )
    await _upsert_add(
        session,
        DailyTagSpendRow.__table__,  # type: ignore[arg-type]
        ("day", "tag"),
        _tags(records),
    )
    await _upsert_add(
        session,
        BudgetWindowRow.__table__,  # type: ignore[arg-type]
        ("scope", "window"),
        _windows(records),
    )
    await _add_lifetime_spend(session, records)
