"""The spend batch writer: logs, daily aggregates, budget windows, lifetime spend, retention."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lockgate.spend import SpendRecord, SpendWriter, delete_old_spend_logs
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
