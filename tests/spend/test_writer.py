"""The spend batch writer: logs, daily aggregates, budget windows, lifetime spend, retention."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lockgate.spend import SpendRecord, SpendWriter, delete_old_spend_logs
from lockgate.spend.sums import BatchSums
from lockgate.store import Store, async_database_url
from lockgate.store.access_tables import KeyRow
from lockgate.store.spend_tables import (
    BudgetWindowRow,
    DailySpendRow,
    DailyTagSpendRow,
    SpendLogRow,
)
from tests.servers import postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        made = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
        await made.migrate()
        yield made
        await made.aclose()
        return
    async with postgres_database() as url:
        made = Store.from_url(async_database_url(url))
        await made.migrate()
        yield made
        await made.aclose()


def record(when: datetime, spend: float = 0.5, status: int = 200) -> SpendRecord:
    return SpendRecord(
        request_id="r",
        started_at=when,
        route="chat",
        key_id="k1",
        user_id="",
        team_id="t1",
        organization_id="",
        end_user="",
        model="gpt",
        model_group="gpt",
        deployment="d",
        prompt_tokens=10,
        completion_tokens=5,
        cached_tokens=0,
        spend=spend,
        latency_ms=3.0,
        status=status,
        tags=("a", "b"),
        windows=(("key:k1", 7, int(spend * 1e9)),),
    )


async def test_a_batch_writes_everything(store: Store) -> None:
    await store.add(KeyRow(id="k1", digest="d" * 64, key_name="sk-...x"))
    writer = SpendWriter(store, interval=60)
    now = datetime.now(UTC)
    for _ in range(3):
        writer.record(record(now))
    writer.record(record(now, spend=0.0, status=500))
    await writer.aclose()  # flushes
    async with store.session() as session:
        assert len((await session.scalars(select(SpendLogRow))).all()) == 4
        daily = (await session.scalars(select(DailySpendRow))).one()
        assert daily.spend == pytest.approx(1.5) and daily.requests == 4
        assert daily.failed_requests == 1 and daily.prompt_tokens == 40
        tags = (await session.scalars(select(DailyTagSpendRow))).all()
        assert {t.tag: t.requests for t in tags} == {"a": 4, "b": 4}
        window = (await session.scalars(select(BudgetWindowRow))).one()
        assert window.spend_nano == 1_500_000_000
        key = await session.get(KeyRow, "k1")
        assert key is not None and key.spend == pytest.approx(1.5)
    # A second batch adds to the aggregates.
    writer = SpendWriter(store, interval=60)
    writer.record(record(now))
    await writer.aclose()
    async with store.session() as session:
        assert (await session.scalars(select(DailySpendRow))).one().spend == pytest.approx(2.0)


async def test_retention_deletes_old_rows(store: Store) -> None:
    writer = SpendWriter(store, interval=60)
    now = datetime.now(UTC)
    writer.record(record(now - timedelta(days=40)))
    writer.record(record(now))
    await writer.aclose()
    assert await delete_old_spend_logs(store, 30) == 1
    assert len(await store.find(SpendLogRow)) == 1


async def test_a_failed_batch_is_kept_for_retry(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")  # no tables yet
    writer = SpendWriter(store, interval=60)
    writer.record(record(datetime.now(UTC)))
    await writer.flush()
    assert writer.pending == 1
    await store.migrate()
    await writer.aclose()
    assert writer.pending == 0 and writer.written == 1
    await store.aclose()


async def test_the_sqlite_thread_ends_with_the_writer(tmp_path: Path) -> None:
    """Its own thread and connection: started by the first batch, ended by aclose after
    the last one is written."""
    path = tmp_path / "db.sqlite"
    store = Store.from_url(f"sqlite+aiosqlite:///{path}")
    await store.migrate()
    writer = SpendWriter(store, interval=60)
    writer.record(record(datetime.now(UTC)))
    await writer.flush()
    assert [t for t in threading.enumerate() if t.name == "lockgate-spend"]
    writer.record(record(datetime.now(UTC)))
    await writer.aclose()
    assert not [t for t in threading.enumerate() if t.name == "lockgate-spend"]
    assert writer.written == 2 and await store.count(SpendLogRow) == 2
    await store.aclose()


async def test_a_failed_batch_leaves_no_row_behind(tmp_path: Path) -> None:
    """Logs and aggregates are one transaction: a batch that fails half-way is not written
    at all, and once retried it is written once."""
    path = tmp_path / "db.sqlite"
    store = Store.from_url(f"sqlite+aiosqlite:///{path}")
    await store.migrate()
    with sqlite3.connect(path) as db:  # the aggregates' table goes: their upsert fails
        db.execute("ALTER TABLE lockgate_daily_spend RENAME TO away")
    writer = SpendWriter(store, interval=60)
    for _ in range(700):
        writer.record(record(datetime.now(UTC)))
    await writer.flush()
    assert writer.pending == 700 and writer.written == 0
    assert await store.count(SpendLogRow) == 0
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE away RENAME TO lockgate_daily_spend")
    await writer.aclose()
    assert writer.pending == 0 and writer.written == 700
    assert await store.count(SpendLogRow) == 700
    await store.aclose()


class SlowSink:
    """Holds every write until released; counts what it wrote."""

    def __init__(self, fail: bool = False) -> None:
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.fail = fail
        self.attempts = 0
        self.rows = 0
        self.written: list[Any] = []

    def log_rows(self, records: Sequence[SpendRecord]) -> list[Any]:
        return list(records)

    async def write(self, log_rows: list[Any], sums: BatchSums) -> None:
        self.attempts += 1
        if self.fail:
            raise OSError("database down")
        self.started.set()
        await self.release.wait()
        self.rows += len(log_rows)
        self.written += log_rows

    async def aclose(self) -> None:
        return None


async def test_shutdown_during_a_batch_loses_nothing(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    sink = SlowSink()
    writer = SpendWriter(store, interval=60, batch_size=10, sink=sink)
    writer.start()
    for _ in range(25):
        writer.record(record(datetime.now(UTC)))
    await asyncio.wait_for(sink.started.wait(), 5)  # the writer's task is mid-batch
    closing = asyncio.create_task(writer.aclose())
    await asyncio.sleep(0.05)
    assert not closing.done()  # it waits for the batch rather than cancel it
    sink.release.set()
    await asyncio.wait_for(closing, 5)
    assert sink.rows == 25 and writer.written == 25 and writer.pending == 0
    await store.aclose()


async def test_a_failing_database_is_retried_after_a_pause(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    sink = SlowSink(fail=True)
    writer = SpendWriter(store, interval=0.2, batch_size=1, sink=sink)
    writer.start()
    for _ in range(30):  # each record reaches batch_size and wakes the writer
        writer.record(record(datetime.now(UTC)))
        await asyncio.sleep(0.005)
    assert 1 <= sink.attempts <= 3  # not one attempt per record
    assert writer.pending == 30
    sink.fail = False
    sink.release.set()
    await writer.aclose()
    assert sink.rows == 30 and writer.pending == 0
    await store.aclose()


async def test_past_max_pending_the_oldest_are_dropped(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    sink = SlowSink()
    sink.release.set()
    writer = SpendWriter(store, interval=60, batch_size=2, max_pending=3, sink=sink)
    for i in range(5):
        writer.record(record(datetime.now(UTC), spend=float(i)))
    assert writer.pending == 3 and writer.dropped == 2
    await writer.aclose()
    assert [r.spend for r in sink.written] == [2.0, 3.0, 4.0] and writer.written == 3
    await store.aclose()


class TimedSink:
    """Each write takes `seconds`; keeps the size of every batch."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.batches: list[int] = []

    def log_rows(self, records: Sequence[SpendRecord]) -> list[Any]:
        return list(records)

    async def write(self, log_rows: list[Any], sums: BatchSums) -> None:
        await asyncio.sleep(self.seconds)
        self.batches.append(len(log_rows))

    async def aclose(self) -> None:
        return None


async def test_steady_traffic_is_written_in_full_batches(tmp_path: Path) -> None:
    """Records that arrive while a batch is written wait for the next full batch: they
    used to be written at once, a few at a time, for as long as traffic lasted."""
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    sink = TimedSink(0.02)
    writer = SpendWriter(store, interval=60, batch_size=20, sink=sink)
    writer.start()
    for _ in range(200):  # about 10 records arrive during each write
        writer.record(record(datetime.now(UTC)))
        await asyncio.sleep(0.002)
    await asyncio.sleep(0.05)
    by_the_task = list(sink.batches)
    assert len(by_the_task) >= 5 and set(by_the_task) == {20}
    await writer.aclose()
    assert sum(sink.batches) == 200 and writer.pending == 0
    await store.aclose()


async def test_an_explicit_flush_writes_what_arrives_meanwhile(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    sink = SlowSink()
    writer = SpendWriter(store, interval=60, batch_size=10, sink=sink)
    for _ in range(10):
        writer.record(record(datetime.now(UTC)))
    flushing = asyncio.create_task(writer.flush())
    await asyncio.wait_for(sink.started.wait(), 5)
    for _ in range(5):  # arrive while the first batch is being written
        writer.record(record(datetime.now(UTC)))
    sink.release.set()
    await asyncio.wait_for(flushing, 5)
    assert sink.rows == 15 and writer.pending == 0
    await store.aclose()


async def test_records_past_a_whole_batch_wait_for_the_next(tmp_path: Path) -> None:
    """Records that arrive between the wake and the task's turn are not written as a
    small batch of their own: they wait for the next full batch or the interval."""
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    sink = TimedSink(0.0)
    writer = SpendWriter(store, interval=60, batch_size=20, sink=sink)
    writer.start()
    for _ in range(45):  # the 20th wakes the task; it runs only after all 45
        writer.record(record(datetime.now(UTC)))
    await asyncio.sleep(0.05)
    assert sink.batches == [20, 20] and writer.pending == 5
    await writer.aclose()
    assert sink.batches == [20, 20, 5] and writer.pending == 0
    await store.aclose()


async def test_the_interval_writes_a_partial_batch(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    sink = TimedSink(0.0)
    writer = SpendWriter(store, interval=0.05, batch_size=20, sink=sink)
    writer.start()
    for _ in range(7):
        writer.record(record(datetime.now(UTC)))
    await asyncio.sleep(0.2)
    assert sink.batches == [7] and writer.pending == 0
    await writer.aclose()
    await store.aclose()
