"""Spend batches written by each sink (SQLite's writer thread, SQLAlchemy on SQLite and on
PostgreSQL) read back through the ORM exactly as recorded, aggregates included."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lockgate.spend import SpendRecord, SpendWriter
from lockgate.spend.engine_sink import EngineSink
from lockgate.spend.record import micros, utc_datetime
from lockgate.spend.sink import SpendSink
from lockgate.spend.sqlite_sink import Pacer, SqliteSink, _chunks
from lockgate.store import Store, async_database_url
from lockgate.store.access_tables import EndUserRow, KeyRow, OrganizationRow, TeamRow, UserRow
from lockgate.store.spend_tables import (
    BudgetWindowRow,
    DailySpendRow,
    DailyTagSpendRow,
    SpendLogRow,
)
from tests.servers import postgres_database

Target = tuple[Store, Callable[[], SpendWriter]]


@pytest.fixture(params=["sqlite-thread", "sqlite-engine", "postgres"])
async def target(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Target]:
    if request.param == "postgres":
        async with postgres_database() as url:
            store = Store.from_url(async_database_url(url))
            await store.migrate()
            yield store, lambda: SpendWriter(store, interval=60)
            await store.aclose()
        return
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await store.migrate()
    engine = request.param == "sqlite-engine"

    def writer() -> SpendWriter:
        sink: SpendSink = EngineSink(store) if engine else SqliteSink(str(tmp_path / "db.sqlite"))
        return SpendWriter(store, interval=60, sink=sink)

    yield store, writer
    await store.aclose()


def record(request_id: str, started_at: datetime | int, **changes: object) -> SpendRecord:
    fields: dict[str, object] = {
        "request_id": request_id,
        "started_at": started_at,
        "route": "chat",
        "key_id": "k1",
        "user_id": "u1",
        "team_id": "t1",
        "organization_id": "o1",
        "end_user": "customer-7",
        "model": "fast",
        "model_group": "gpt-4o-mini",
        "deployment": "d1",
        "prompt_tokens": 19,
        "completion_tokens": 10,
        "cached_tokens": 4,
        "spend": 0.000123456789,
        "latency_ms": 12.5,
        "status": 200,
    }
    fields.update(changes)
    return SpendRecord(**fields)  # type: ignore[arg-type]


async def write(target: Target, records: list[SpendRecord]) -> None:
    writer = target[1]()
    for r in records:
        writer.record(r)
    await writer.aclose()
    assert writer.written == len(records) and writer.pending == 0


async def test_rows_read_back_as_recorded(target: Target) -> None:
    store = target[0]
    paris = timezone(timedelta(hours=1))
    records = [
        record("a", datetime(2026, 11, 23, 1, 2, 3, 456789, tzinfo=UTC), tags=("x", "é")),
        # Another zone is stored as the same instant in UTC.
        record("b", datetime(2026, 11, 23, 2, 2, 3, 7, tzinfo=paris), status=429, spend=0.0),
        record("c", datetime(2026, 1, 1, tzinfo=UTC), request_body={"messages": [{"a": 1}]}),
        # What orjson refuses (an integer past 64 bits) is still written.
        record("d", datetime(2026, 1, 1, tzinfo=UTC), request_body={"n": 2**70}),
    ]
    await write(target, records)
    async with store.session() as session:
        rows = {r.request_id: r for r in (await session.scalars(select(SpendLogRow))).all()}
    assert set(rows) == {"a", "b", "c", "d"}
    for sent in records:
        row = rows[sent.request_id]
        assert row.started_at == sent.started_at  # aware, same instant
        assert row.started_at.tzinfo is not None
        assert (row.route, row.key_id, row.user_id, row.team_id) == ("chat", "k1", "u1", "t1")
        assert (row.organization_id, row.end_user) == ("o1", "customer-7")
        assert (row.model, row.model_group, row.deployment) == ("fast", "gpt-4o-mini", "d1")
        assert (row.prompt_tokens, row.completion_tokens, row.cached_tokens) == (19, 10, 4)
        assert row.total_tokens == 29
        assert row.spend == sent.spend and row.latency_ms == 12.5
        assert row.status == sent.status
        assert row.tags == list(sent.tags)
        assert row.request_body == sent.request_body
    assert rows["b"].started_at == datetime(2026, 11, 23, 1, 2, 3, 7, tzinfo=UTC)


async def test_integer_start_times_and_absent_values_read_back(target: Target) -> None:
    """The gateway's records: the start in microseconds, entities, tags and payload often
    absent, the model group often the model (each written as a cheaper stand-in)."""
    store = target[0]
    start = micros(datetime(2026, 11, 23, 23, 59, 59, 999999, tzinfo=UTC))
    records = [
        record("a", start, user_id="", team_id="", organization_id="", end_user=""),
        record("b", start + 1, model="gpt-4o", model_group="gpt-4o"),  # the next day
        record("c", start, model="alias", model_group=""),
        # Texts that look like the stand-in for an absent value stay texts.
        record("d", start, user_id="0", team_id="0.0", end_user=" ", tags=("0",)),
        record("e", 0, request_body=0, tags=("",)),
    ]
    await write(target, records)
    async with store.session() as session:
        rows = {r.request_id: r for r in (await session.scalars(select(SpendLogRow))).all()}
        days: dict[tuple[str, str], int] = defaultdict(int)
        for daily in await session.scalars(select(DailySpendRow)):
            days[daily.day, daily.model] += daily.requests
    for sent in records:
        row = rows[sent.request_id]
        assert row.started_at == utc_datetime(sent.started_at)
        assert (row.user_id, row.team_id) == (sent.user_id, sent.team_id)
        assert (row.organization_id, row.end_user) == (sent.organization_id, sent.end_user)
        assert (row.model, row.model_group) == (sent.model, sent.model_group)
        assert row.tags == list(sent.tags) and row.request_body == sent.request_body
        assert row.total_tokens == 29
    assert rows["b"].started_at == datetime(2026, 11, 24, tzinfo=UTC)
    assert rows["e"].started_at == datetime(1970, 1, 1, tzinfo=UTC)
    assert days == {
        ("2026-11-23", "gpt-4o-mini"): 2,
        ("2026-11-23", "alias"): 1,
        ("2026-11-24", "gpt-4o"): 1,
        ("1970-01-01", "gpt-4o-mini"): 1,
    }


DUMPS = {
    "logs": "SELECT * FROM lockgate_spend_logs ORDER BY id",
    "daily": "SELECT * FROM lockgate_daily_spend ORDER BY 1, 2, 3, 4, 5",
    "tags": "SELECT * FROM lockgate_daily_tag_spend ORDER BY 1, 2",
    "windows": "SELECT * FROM lockgate_budget_windows ORDER BY 1, 2",
    "keys": "SELECT id, spend FROM lockgate_keys ORDER BY id",
}


async def test_the_thread_stores_what_the_orm_stores(tmp_path: Path) -> None:
    """The SQLite thread's rows and aggregates are the SQLAlchemy sink's, value for value, on
    the same records (timestamp text, empty strings, computed columns; JSON the same JSON,
    spaced differently)."""
    paris = timezone(timedelta(hours=1))
    records = [
        record(
            "a",
            datetime(2026, 11, 23, 1, 2, 3, 456789, tzinfo=UTC),
            tags=("x", "é"),
            windows=(("key:k1", 7, 123), ("team:t1", 7, 123)),
        ),
        record("b", datetime(2026, 11, 23, 2, 2, 3, tzinfo=paris), status=429, spend=0.0),
        record(
            "c",
            micros(datetime(2026, 1, 1, tzinfo=UTC)),
            request_body={"m": [1, None]},
            windows=(("key:k1", 7, 5),),
        ),
        record("d", 1_795_000_000_000_000, user_id="", team_id="", end_user="", model_group=""),
        record("e", 1_795_000_000_000_001, model="m", model_group="m", organization_id=""),
        record("f", datetime(2026, 11, 23, 1, 2, 3), request_body="text", tags=("0",)),
    ]
    dumps: list[dict[str, list[tuple[Any, ...]]]] = []
    for name in ("thread", "orm"):
        path = tmp_path / f"{name}.sqlite"
        store = Store.from_url(f"sqlite+aiosqlite:///{path}")
        await store.migrate()
        await store.add(KeyRow(id="k1", digest="d" * 64, key_name="sk-...x"))
        sink: SpendSink = SqliteSink(str(path)) if name == "thread" else EngineSink(store)
        writer = SpendWriter(store, interval=60, sink=sink)
        for r in records:
            writer.record(r)
        await writer.aclose()
        await store.aclose()
        with sqlite3.connect(path) as db:
            dumps.append({table: db.execute(query).fetchall() for table, query in DUMPS.items()})
            logs = dumps[-1]["logs"]
            logs[:] = [(*row[:-2], json.loads(row[-2]), json.loads(row[-1])) for row in logs]
    thread, orm = dumps
    assert len(thread["logs"]) == len(records) and thread["windows"]
    assert thread == orm


async def test_a_large_batch_and_its_aggregates(target: Target) -> None:
    """More rows and more entities than one statement takes; aggregates from first
    principles. Every entity exists but one key, whose spend goes nowhere."""
    store = target[0]
    for i in range(150):
        await store.add(KeyRow(id=f"k{i}", digest=f"{i:064x}", key_name="sk-...x"))
    for i in range(7):
        await store.add(UserRow(id=f"u{i}"))
        await store.add(TeamRow(id=f"t{i}"))
        await store.add(OrganizationRow(id=f"o{i}"))
        await store.add(EndUserRow(id=f"e{i}"))
    start = datetime(2026, 11, 23, 23, 59, 59, tzinfo=UTC)
    records = [
        record(
            f"r{i}",
            start + timedelta(milliseconds=i),  # crosses midnight
            key_id=f"k{i % 151}",
            user_id=f"u{i % 7}" if i % 5 else "",
            team_id=f"t{i % 7}",
            organization_id=f"o{i % 7}",
            end_user=f"e{i % 7}" if i % 4 else "",
            model_group="" if i % 6 == 0 else "gpt-4o-mini",
            spend=0.001 * (i % 10),
            prompt_tokens=i,
            status=500 if i % 9 == 0 else 200,
            tags=("a", f"t{i % 2}") if i % 3 else (),
            windows=((f"key:k{i % 151}", 42, 1000 * (i % 10)),),
        )
        for i in range(1234)
    ]
    await write(target, records)

    daily: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0.0, 0, 0, 0, 0])
    tags: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    windows: dict[tuple[str, int], int] = defaultdict(int)
    lifetime: dict[tuple[str, str], float] = defaultdict(float)
    for r in records:
        day = r.started_at.astimezone(UTC).date().isoformat()
        d = daily[(day, r.key_id, r.user_id, r.team_id, r.model_group or r.model)]
        d[0] += r.spend
        d[1] += r.prompt_tokens
        d[2] += r.completion_tokens
        d[3] += 1
        d[4] += r.failed
        for tag in r.tags:
            tags[(day, tag)][0] += r.spend
            tags[(day, tag)][1] += 1
        for scope, window, nano in r.windows:
            windows[(scope, window)] += nano
        for kind in ("key_id", "user_id", "team_id", "organization_id", "end_user"):
            lifetime[(kind, getattr(r, kind))] += r.spend

    async with store.session() as session:
        assert len((await session.scalars(select(SpendLogRow.id))).all()) == len(records)
        got_daily = {
            (d.day, d.key_id, d.user_id, d.team_id, d.model): d
            for d in (await session.scalars(select(DailySpendRow))).all()
        }
        assert set(got_daily) == set(daily)
        assert {k[0] for k in daily} == {"2026-11-23", "2026-11-24"}
        for k, (spend, prompt, completion, requests, failed) in daily.items():
            row = got_daily[k]
            assert row.spend == pytest.approx(spend)
            assert (row.prompt_tokens, row.completion_tokens) == (prompt, completion)
            assert (row.requests, row.failed_requests) == (requests, failed)
        got_tags = {
            (t.day, t.tag): (t.spend, t.requests)
            for t in (await session.scalars(select(DailyTagSpendRow))).all()
        }
        assert got_tags == {k: (pytest.approx(v[0]), v[1]) for k, v in tags.items()}
        got_windows = {
            (w.scope, w.window): w.spend_nano
            for w in (await session.scalars(select(BudgetWindowRow))).all()
        }
        assert got_windows == {k: v for k, v in windows.items() if v}
        for kind, table in (
            ("key_id", KeyRow),
            ("user_id", UserRow),
            ("team_id", TeamRow),
            ("organization_id", OrganizationRow),
            ("end_user", EndUserRow),
        ):
            rows: list[KeyRow] = list((await session.scalars(select(table))).all())
            spent = {row.id: row.spend for row in rows}
            expected = {i: lifetime[(kind, i)] for i in spent}
            assert spent == pytest.approx(expected), kind
            assert all(expected.values()), kind


async def test_aggregates_add_up_across_batches(target: Target) -> None:
    store = target[0]
    await store.add(KeyRow(id="k1", digest="d" * 64, key_name="sk-...x"))
    when = datetime(2026, 11, 23, tzinfo=UTC)
    await write(target, [record("a", when, spend=0.25, windows=(("key:k1", 1, 250),))])
    await write(target, [record("b", when, spend=0.5, windows=(("key:k1", 1, 500),))])
    async with store.session() as session:
        daily = (await session.scalars(select(DailySpendRow))).one()
        assert daily.spend == pytest.approx(0.75) and daily.requests == 2
        window = (await session.scalars(select(BudgetWindowRow))).one()
        assert window.spend_nano == 750
        key = await session.get(KeyRow, "k1")
        assert key is not None and key.spend == pytest.approx(0.75)


async def test_one_writer_adds_up_batch_after_batch(target: Target) -> None:
    """The same sink writes every batch (its upsert statements are built once)."""
    store = target[0]
    await store.add(KeyRow(id="k1", digest="d" * 64, key_name="sk-...x"))
    when = datetime(2026, 11, 23, tzinfo=UTC)
    writer = target[1]()
    for n, spend in enumerate((0.25, 0.5, 1.0)):
        windows = (("key:k1", 1, int(spend * 1000)),)
        writer.record(record(f"r{n}", when, spend=spend, tags=("team-a",), windows=windows))
        await writer.flush()
    await writer.aclose()
    assert writer.written == 3
    async with store.session() as session:
        daily = (await session.scalars(select(DailySpendRow))).one()
        assert daily.spend == pytest.approx(1.75) and daily.requests == 3
        tag = (await session.scalars(select(DailyTagSpendRow))).one()
        assert tag.spend == pytest.approx(1.75) and tag.requests == 3
        window = (await session.scalars(select(BudgetWindowRow))).one()
        assert window.spend_nano == 1750


def test_statements_cover_every_row_in_few_shapes() -> None:
    for count in (0, 1, 127, 128, 129, 1000, 1234):
        chunks = list(_chunks(count, 128))
        assert sum(rows for _, rows in chunks) == count
        assert [start for start, _ in chunks] == [
            sum(r for _, r in chunks[:i]) for i in range(len(chunks))
        ]
        assert {rows for _, rows in chunks} <= {1, 2, 4, 8, 16, 32, 64, 128}


async def test_postgresql_log_rows_go_in_with_copy_inside_the_batch_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncpg

    copied: list[tuple[str, int, bool]] = []
    copy = asyncpg.Connection.copy_records_to_table

    async def spy(self: asyncpg.Connection, table: str, **kwargs: Any) -> str:
        copied.append((table, len(kwargs["records"]), self.is_in_transaction()))
        return await copy(self, table, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "copy_records_to_table", spy)
    async with postgres_database() as url:
        store = Store.from_url(async_database_url(url))
        try:
            await store.migrate()
            start = datetime(2026, 11, 23, tzinfo=UTC)
            await write(
                (store, lambda: SpendWriter(store, interval=60)),
                [record(f"r{i}", start) for i in range(300)],
            )
            assert copied == [("lockgate_spend_logs", 300, True)]
            async with store.session() as session:
                count = len((await session.scalars(select(SpendLogRow))).all())
            assert count == 300
        finally:
            await store.aclose()


def test_the_pacer_pauses_after_each_statement_within_its_budget() -> None:
    pauses: list[float] = []
    pacer = Pacer(0.001, 0.0035, pauses.append)
    for _ in range(10):
        pacer.after_statement()
    assert pauses == [0.001, 0.001, 0.001]  # a fourth would pass the budget


async def test_a_batch_is_written_in_paced_statements(tmp_path: Path) -> None:
    """A batch's statements are spread out (its CPU would otherwise come as one burst that
    slows the requests in flight), and every row is still written."""
    path = tmp_path / "db.sqlite"
    store = Store.from_url(f"sqlite+aiosqlite:///{path}")
    await store.migrate()
    writer = SpendWriter(store, interval=60, batch_size=100)
    now = datetime.now(UTC)
    for number in range(100):  # 100 log rows: 16-row statements, 7 of them, each paused
        writer.record(record(f"r{number}", now))
    started = time.perf_counter()
    await writer.flush()
    assert time.perf_counter() - started >= 0.007
    assert await store.count(SpendLogRow) == 100
    await writer.aclose()
    await store.aclose()
