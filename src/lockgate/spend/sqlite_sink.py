"""SQLite: spend batches written by a thread of their own, on a connection of their own.

The event loop's thread only turns records into plain parameter lists, a slice at a time
with requests running in between. This thread runs a few multi-row statements per batch:
each is one call into SQLite that holds the GIL only while it binds its parameters (about
1 µs a row) and releases it while SQLite inserts. Through SQLAlchemy and aiosqlite, the
loop's thread built a batch's parameters and SQLAlchemy statements in one go, 2-4 ms at a
time, and updated lifetime spend with one ORM statement per entity. Not ``executemany``:
it releases and retakes the GIL around every row, which under load made the loop's thread
hand the GIL over once per row.

Values are stored as the ORM stores them (UTC timestamps as SQLAlchemy's SQLite DATETIME
text, JSON as text), and the ORM reads them back unchanged (tests/spend/test_sinks.py).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import sqlite3
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from typing import Any

import orjson

from lockgate.spend.record import SpendRecord
from lockgate.spend.sums import BatchSums

__all__ = ["SqliteSink"]

_TIMEOUT = 30.0  # seconds to wait while another connection writes to the file
# Rows per statement: 128 log rows are 2,560 parameters, bound in about 0.1 ms. Statements
# of fewer rows take powers of two, so every statement text is one of a few, each prepared
# once per connection (preparing a statement costs about twice what running it does).
_LOG_ROWS = 128
_SUM_ROWS = 64

_LOG_WIDTH = 20  # columns of a log row
# kind: (head, columns of a row, tail); a statement is head + rows of placeholders + tail.
# Literal text on purpose: the tables' and columns' names, never a value.
_STATEMENTS: dict[str, tuple[str, int, str]] = {
    "logs": (
        "INSERT INTO lockgate_spend_logs (request_id, started_at, route, key_id, user_id, "
        "team_id, organization_id, end_user, model, model_group, deployment, prompt_tokens, "
        "completion_tokens, cached_tokens, total_tokens, spend, latency_ms, status, tags, "
        "request_body) VALUES ",
        _LOG_WIDTH,
        "",
    ),
    "daily": (
        "INSERT INTO lockgate_daily_spend (day, key_id, user_id, team_id, model, spend, "
        "prompt_tokens, completion_tokens, requests, failed_requests) VALUES ",
        10,
        " ON CONFLICT (day, key_id, user_id, team_id, model) DO UPDATE SET "
        "spend = lockgate_daily_spend.spend + excluded.spend, "
        "prompt_tokens = lockgate_daily_spend.prompt_tokens + excluded.prompt_tokens, "
        "completion_tokens = lockgate_daily_spend.completion_tokens "
        "+ excluded.completion_tokens, "
        "requests = lockgate_daily_spend.requests + excluded.requests, "
        "failed_requests = lockgate_daily_spend.failed_requests + excluded.failed_requests",
    ),
    "tags": (
        "INSERT INTO lockgate_daily_tag_spend (day, tag, spend, requests) VALUES ",
        4,
        " ON CONFLICT (day, tag) DO UPDATE SET "
        "spend = lockgate_daily_tag_spend.spend + excluded.spend, "
        "requests = lockgate_daily_tag_spend.requests + excluded.requests",
    ),
    "windows": (
        'INSERT INTO lockgate_budget_windows (scope, "window", spend_nano) VALUES ',
        3,
        ' ON CONFLICT (scope, "window") DO UPDATE SET '
        "spend_nano = lockgate_budget_windows.spend_nano + excluded.spend_nano",
    ),
    # Lifetime spend: (id, spend to add) rows.
    "key": (
        "UPDATE lockgate_keys SET spend = lockgate_keys.spend + v.column2 FROM (VALUES ",
        2,
        ") AS v WHERE lockgate_keys.id = v.column1",
    ),
    "user": (
        "UPDATE lockgate_users SET spend = lockgate_users.spend + v.column2 FROM (VALUES ",
        2,
        ") AS v WHERE lockgate_users.id = v.column1",
    ),
    "team": (
        "UPDATE lockgate_teams SET spend = lockgate_teams.spend + v.column2 FROM (VALUES ",
        2,
        ") AS v WHERE lockgate_teams.id = v.column1",
    ),
    "organization": (
        "UPDATE lockgate_organizations SET spend = lockgate_organizations.spend + v.column2 "
        "FROM (VALUES ",
        2,
        ") AS v WHERE lockgate_organizations.id = v.column1",
    ),
    "end_user": (
        "UPDATE lockgate_end_users SET spend = lockgate_end_users.spend + v.column2 FROM (VALUES ",
        2,
        ") AS v WHERE lockgate_end_users.id = v.column1",
    ),
}


@functools.lru_cache(maxsize=128)
def _statement(kind: str, rows: int) -> str:
    """Placeholders only: no value is ever in the text."""
    head, width, tail = _STATEMENTS[kind]
    one = "(" + ", ".join("?" * width) + ")"
    return head + ", ".join([one] * rows) + tail


def _chunks(count: int, largest: int) -> Iterator[tuple[int, int]]:
    """(start, rows) covering ``count`` rows in statements of ``largest`` rows and then of
    powers of two."""
    start, size = 0, largest
    while start < count:
        while size > count - start:
            size //= 2
        yield start, size
        start += size


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson refuses (integers past 64 bits, ...)
        return json.dumps(value, default=str)


def _log_values(records: Sequence[SpendRecord]) -> list[Any]:
    """The records' log columns, all rows in one flat list."""
    values: list[Any] = []
    add = values.extend
    # "YYYY-MM-DD HH:MM:SS." by second: isoformat costs more than the rest of a row.
    seconds: dict[tuple[int, int, int, int, int, int], str] = {}
    for (
        request_id,
        started,
        route,
        key_id,
        user_id,
        team_id,
        organization_id,
        end_user,
        model,
        model_group,
        deployment,
        prompt,
        completion,
        cached,
        spend,
        latency_ms,
        status,
        tags,
        body,
        _,
    ) in records:
        zone = started.tzinfo
        if zone is not UTC and zone is not None:
            started = started.astimezone(UTC)
        second = (
            started.year,
            started.month,
            started.day,
            started.hour,
            started.minute,
            started.second,
        )
        prefix = seconds.get(second)
        if prefix is None:
            prefix = seconds[second] = started.isoformat(" ", "seconds")[:19] + "."
        add(
            (
                request_id,
                # SQLAlchemy's SQLite DATETIME text, "%Y-%m-%d %H:%M:%S.%f" (no UTC offset).
                prefix + "%06d" % started.microsecond,  # noqa: UP031 - quicker than f"{:06d}"
                route,
                key_id,
                user_id,
                team_id,
                organization_id,
                end_user,
                model,
                model_group,
                deployment,
                prompt,
                completion,
                cached,
                prompt + completion,
                spend,
                latency_ms,
                status,
                _json_text(tags) if tags else "[]",
                "null" if body is None else _json_text(body),
            )
        )
    return values


def _flat(rows: Sequence[tuple[Any, ...]]) -> list[Any]:
    return list(itertools.chain.from_iterable(rows))


class SqliteSink:
    def __init__(self, path: str) -> None:
        self._path = path
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None  # used by the thread only

    def log_rows(self, records: Sequence[SpendRecord]) -> list[Any]:
        return _log_values(records)

    async def write(self, log_rows: list[Any], sums: BatchSums) -> None:
        statements: list[tuple[str, list[Any]]] = [("logs", log_rows)]
        # The aggregates' rows are built a kind at a time, requests running in between
        # (a few hundred groups take a fraction of a millisecond each).
        for kind, rows in (
            ("daily", sums.daily),
            ("tags", sums.tags),
            ("windows", sums.windows),
        ):
            statements.append((kind, _flat(rows())))
            await asyncio.sleep(0)
        statements += [(kind, _flat(rows)) for kind, rows in sums.lifetime().items()]
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="lockgate-spend")
        await asyncio.get_running_loop().run_in_executor(self._executor, self._write, statements)

    def _write(self, statements: list[tuple[str, list[Any]]]) -> None:
        connection = self._connection or self._connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            for kind, values in statements:
                width = _STATEMENTS[kind][1]
                largest = _LOG_ROWS if kind == "logs" else _SUM_ROWS
                for start, rows in _chunks(len(values) // width, largest):
                    connection.execute(
                        _statement(kind, rows), values[start * width : (start + rows) * width]
                    )
            connection.execute("COMMIT")
        except BaseException:
            try:
                connection.execute("ROLLBACK")
            except sqlite3.Error:  # a connection that cannot roll back is not used again
                self._close()
            raise

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode: the transaction is the explicit BEGIN IMMEDIATE (which waits for
        # the file's write lock up front, instead of failing to upgrade a read lock).
        connection = sqlite3.connect(self._path, timeout=_TIMEOUT, isolation_level=None)
        try:
            # As the store's engine sets up its connections (lockgate/store/engine.py).
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        return connection

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    async def aclose(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.get_running_loop().run_in_executor(executor, self._close)
            executor.shutdown()
