"""SQLite: spend batches written by a thread of their own, on a connection of their own.

The event loop's thread only turns records into plain parameter lists. This thread runs a
few multi-row statements per batch: each is one call into SQLite that holds the GIL only
while it binds its parameters and releases it while SQLite inserts. Not ``executemany``:
it releases and retakes the GIL around every row, which under load made the loop's thread
hand the GIL over once per row.

What a row costs is mostly binding its parameters (each text one a copy and a lock in
SQLite), so a log row binds as few texts as it can: empty texts, no tags and no payload
are zeros that the statement turns back into '', '[]' and 'null'; a model group equal to
the model is a zero too; total tokens are summed by the statement.

The thread takes batches from a queue and hands the outcome back with one
``call_soon_threadsafe``: a round trip through ``run_in_executor`` cost seven times that.

The thread paces itself: small statements, a millisecond's pause after each (up to a
budget per batch). A 500-row batch is about 4 ms of CPU; done in one burst on a 2-core
machine it slowed the requests in flight (wrk's p99 at one connection 1.5-2.2 ms), and
any burst of CPU in the thread did, with the GIL released or not (a hash of 8 ms: p99
2.4-3.1 ms; a sleep of the same length: 0.75-0.95 ms). Paced: 0.77-1.02 ms.

Values are stored as the ORM stores them (UTC timestamps as SQLAlchemy's SQLite DATETIME
text, JSON as text), and the ORM reads them back unchanged (tests/spend/test_sinks.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import orjson

from lockgate.spend.record import SpendRecord, micros
from lockgate.spend.sums import BatchSums

__all__ = ["Pacer", "SqliteSink"]

_TIMEOUT = 30.0  # seconds to wait while another connection writes to the file
# Rows per statement: 16 log rows are 304 parameters, small enough for the pacing (below)
# to spread a batch's CPU. Statements of fewer rows take powers of two, so every statement
# text is one of a few, each prepared once per connection (preparing a statement costs
# about twice what running it does).
_LOG_ROWS = 16
_SUM_ROWS = 16
# The pause after each statement, and the most a batch pauses in all: a batch far larger
# than usual (the backlog after the database was down, the flush at shutdown) is paced
# only for its first part.
_PAUSE_S = 0.001
_PAUSE_BUDGET_S = 0.05
# Records past which the aggregates' rows are built a kind at a time, requests running in
# between; below it, all of them take less than 0.1 ms.
_BIG_BATCH = 256

# A log row's parameters: request_id, started_at, route, key_id, user_id, team_id,
# organization_id, end_user, model, model_group, deployment, prompt_tokens,
# completion_tokens, cached_tokens, spend, latency_ms, status, tags, request_body. An absent
# value is bound as 0 and the statement turns it back into '', the model, '[]' or 'null':
# binding None costs ten times what an integer does (the sqlite3 module looks for an
# adapter, raising and clearing two AttributeErrors), and a text is copied. The rows are a
# VALUES list that a SELECT reshapes, so the statement's size grows with its rows only by
# their placeholders (the same CASE in every row made preparing it quadratic).
# Literal text on purpose: the tables' and columns' names, never a value.
_LOG_WIDTH = 19
_LOG_HEAD = (
    "INSERT INTO lockgate_spend_logs (request_id, started_at, route, key_id, user_id, "
    "team_id, organization_id, end_user, model, model_group, deployment, prompt_tokens, "
    "completion_tokens, cached_tokens, total_tokens, spend, latency_ms, status, tags, "
    "request_body) SELECT column1, column2, column3, column4, "
    "CASE column5 WHEN 0 THEN '' ELSE column5 END, "
    "CASE column6 WHEN 0 THEN '' ELSE column6 END, "
    "CASE column7 WHEN 0 THEN '' ELSE column7 END, "
    "CASE column8 WHEN 0 THEN '' ELSE column8 END, column9, "
    "CASE column10 WHEN 0 THEN column9 ELSE column10 END, column11, column12, column13, "
    "column14, column12 + column13, column15, column16, column17, "
    "CASE column18 WHEN 0 THEN '[]' ELSE column18 END, "
    "CASE column19 WHEN 0 THEN 'null' ELSE column19 END FROM (VALUES "
)

# Few entities: a plain UPDATE each. UPDATE ... FROM (VALUES ...) builds a temporary table
# each time, which costs what updating five rows one by one does.
_FEW = 8
_LIFETIME_ONE = {
    "key": "UPDATE lockgate_keys SET spend = spend + ?2 WHERE id = ?1",
    "user": "UPDATE lockgate_users SET spend = spend + ?2 WHERE id = ?1",
    "team": "UPDATE lockgate_teams SET spend = spend + ?2 WHERE id = ?1",
    "organization": "UPDATE lockgate_organizations SET spend = spend + ?2 WHERE id = ?1",
    "end_user": "UPDATE lockgate_end_users SET spend = spend + ?2 WHERE id = ?1",
}

# kind: (head, columns of a row, tail); a statement is head + rows of placeholders + tail.
_STATEMENTS: dict[str, tuple[str, int, str]] = {
    "logs": (_LOG_HEAD, _LOG_WIDTH, ")"),
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

# (statements, the loop, the future the outcome goes to); no statements: close.
_Job = tuple[list[tuple[str, list[Any]]] | None, asyncio.AbstractEventLoop, asyncio.Future[None]]


@functools.lru_cache(maxsize=128)
def _statement(kind: str, rows: int) -> str:
    """Placeholders only: no value is ever in the text."""
    if rows == 1 and kind in _LIFETIME_ONE:
        return _LIFETIME_ONE[kind]
    head, width, tail = _STATEMENTS[kind]
    values = ["(" + ", ".join("?" * width) + ")"] * rows
    return head + ", ".join(values) + tail


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


def _second_text(second: int) -> str:
    """SQLAlchemy's SQLite DATETIME text up to the second's dot: "%Y-%m-%d %H:%M:%S."."""
    return time.strftime("%Y-%m-%d %H:%M:%S.", time.gmtime(second))


def _log_values(records: Sequence[SpendRecord]) -> list[Any]:
    """The records' log parameters, all rows in one flat list."""
    values: list[Any] = []
    add = values.extend
    seconds: dict[int, str] = {}  # formatting a time costs more than the rest of a row
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
        second, micro = divmod(started if type(started) is int else micros(started), 1_000_000)
        prefix = seconds.get(second)
        if prefix is None:
            prefix = seconds[second] = _second_text(second)
        add(
            (
                request_id,
                prefix + "%06d" % micro,  # noqa: UP031 - quicker than f"{:06d}"
                route,
                key_id,
                user_id or 0,
                team_id or 0,
                organization_id or 0,
                end_user or 0,
                model,
                0 if model_group == model else model_group,
                deployment,
                prompt,
                completion,
                cached,
                spend,
                latency_ms,
                status,
                _json_text(tags) if tags else 0,
                0 if body is None else _json_text(body),
            )
        )
    return values


def _flat(rows: Sequence[tuple[Any, ...]]) -> list[Any]:
    return list(itertools.chain.from_iterable(rows))


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    if done.done():  # the writer stopped waiting
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)


class Pacer:
    """``Pacer(pause, budget, sleep)``: ``after_statement()`` pauses ``pause`` seconds
    until this batch has paused ``budget`` in all."""

    def __init__(
        self, pause: float, budget: float, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._pause = pause
        self._left = budget
        self._sleep = sleep

    def after_statement(self) -> None:
        if self._left >= self._pause:
            self._left -= self._pause
            self._sleep(self._pause)


class SqliteSink:
    def __init__(self, path: str) -> None:
        self._path = path
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        # Used by the thread only.
        self._connection: sqlite3.Connection | None = None
        self._cursor: sqlite3.Cursor | None = None

    def log_rows(self, records: Sequence[SpendRecord]) -> list[Any]:
        return _log_values(records)

    async def write(self, log_rows: list[Any], sums: BatchSums) -> None:
        statements: list[tuple[str, list[Any]]] = [("logs", log_rows)]
        big = len(log_rows) > _BIG_BATCH * _LOG_WIDTH
        for kind, rows in (
            ("daily", sums.daily),
            ("tags", sums.tags),
            ("windows", sums.windows),
        ):
            statements.append((kind, _flat(rows())))
            if big:
                await asyncio.sleep(0)
        statements += [(kind, _flat(rows)) for kind, rows in sums.lifetime().items()]
        await self._run(statements)

    async def _run(self, statements: list[tuple[str, list[Any]]] | None) -> None:
        if self._thread is None:
            # A daemon: a gateway that exits without closing its sink is not kept alive
            # by a thread waiting for work (closing writes what is pending first).
            self._thread = threading.Thread(target=self._serve, name="lockgate-spend", daemon=True)
            self._thread.start()
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._jobs.put((statements, loop, done))
        await done

    def _serve(self) -> None:
        """The thread: writes batches until it is asked to close."""
        while True:
            statements, loop, done = self._jobs.get()
            error: BaseException | None = None
            try:
                if statements is None:
                    self._close()
                else:
                    self._write(statements)
            except BaseException as failed:  # the writer keeps the batch and retries
                error = failed
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                loop.call_soon_threadsafe(_settle, done, error)
            if statements is None:
                return

    def _write(self, statements: list[tuple[str, list[Any]]]) -> None:
        cursor = self._cursor or self._connect()
        pacer = Pacer(_PAUSE_S, _PAUSE_BUDGET_S)
        cursor.execute("BEGIN IMMEDIATE")
        try:
            for kind, values in statements:
                width = _STATEMENTS[kind][1]
                count = len(values) // width
                if count < _FEW and kind in _LIFETIME_ONE:
                    chunks: Iterable[tuple[int, int]] = ((start, 1) for start in range(count))
                else:
                    chunks = _chunks(count, _LOG_ROWS if kind == "logs" else _SUM_ROWS)
                for start, rows in chunks:
                    cursor.execute(
                        _statement(kind, rows), values[start * width : (start + rows) * width]
                    )
                    pacer.after_statement()
            cursor.execute("COMMIT")
        except BaseException:
            try:
                cursor.execute("ROLLBACK")
            except sqlite3.Error:  # a connection that cannot roll back is not used again
                self._close()
            raise

    def _connect(self) -> sqlite3.Cursor:
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
        # One cursor for every statement: the connection's execute makes one each time.
        self._cursor = connection.cursor()
        return self._cursor

    def _close(self) -> None:
        connection, self._connection, self._cursor = self._connection, None, None
        if connection is not None:
            connection.close()

    async def aclose(self) -> None:
        thread = self._thread
        if thread is not None:
            await self._run(None)
            thread.join()
            self._thread = None
