"""Spend log rows written in a batch read back through the ORM exactly as recorded, on
SQLite (plain tuples through the driver) and PostgreSQL (a Core insert)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from lockgate.spend import SpendRecord
from lockgate.spend.batch_sql import write_batch
from lockgate.store import Store, async_database_url
from lockgate.store.spend_tables import SpendLogRow
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


def record(request_id: str, started_at: datetime, **changes: object) -> SpendRecord:
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


async def test_rows_read_back_as_recorded(store: Store) -> None:
    paris = timezone(timedelta(hours=1))
    records = [
        record("a", datetime(2026, 11, 23, 1, 2, 3, 456789, tzinfo=UTC), tags=("x", "é")),
        # Another zone is stored as the same instant in UTC.
        record("b", datetime(2026, 11, 23, 2, 2, 3, 7, tzinfo=paris), status=429, spend=0.0),
        record("c", datetime(2026, 1, 1, tzinfo=UTC), request_body={"messages": [{"a": 1}]}),
    ]
    async with store.session() as session, session.begin():
        await write_batch(session, records)
    async with store.session() as session:
        rows = {r.request_id: r for r in (await session.scalars(select(SpendLogRow))).all()}
    assert set(rows) == {"a", "b", "c"}
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


async def test_a_batch_larger_than_one_statement_is_written_whole(store: Store) -> None:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    records = [record(f"r{i}", start + timedelta(microseconds=i)) for i in range(901)]
    async with store.session() as session, session.begin():
        await write_batch(session, records)
    async with store.session() as session:
        ids = (await session.scalars(select(SpendLogRow.request_id))).all()
    assert sorted(ids) == sorted(r.request_id for r in records)
