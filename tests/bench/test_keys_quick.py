"""Quick whole runs with `--keys`: one gateway on SQLite (nginx and wrk, when installed), and
two instances sharing PostgreSQL and Redis (the mock and the built-in generator). They check
the harness, not the figures: every request succeeds with the seeded calling key, start-up is
recorded, and what the run created (servers, database, Redis keys) is gone afterwards."""

from __future__ import annotations

import asyncio
import os
import re
import socket

import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from lockgate.bench import BenchOptions, judge, render_markdown, run_bench
from lockgate.bench.results import GATEWAY
from tests.bench.test_runner import _children
from tests.bench.test_with_nginx import needs_nginx, needs_wrk
from tests.servers import PG_ADMIN_URL, REDIS_URL


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def _need_servers() -> None:
    missing = [
        name for name, port in (("PostgreSQL", 5432), ("Redis", 6379)) if not _reachable(port)
    ]
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{' and '.join(missing)} required in CI and not reachable")
    pytest.skip(f"no {' and '.join(missing)} on 127.0.0.1")


@needs_nginx
@needs_wrk
def test_a_quick_run_with_1000_keys() -> None:
    before = _children()
    progress: list[str] = []
    options = BenchOptions(quick=True, duration_s=0.5, connections=4, keys=1000)
    result = run_bench(options, progress=progress.append)
    gateway = result.target(GATEWAY)
    assert gateway is not None and gateway.error is None, result.notes
    assert gateway.many_connections is not None and gateway.many_connections.requests > 0
    assert gateway.many_connections.errors == 0
    assert gateway.startup_s is not None and 0 < gateway.startup_s < 60
    assert result.key_setup is not None and result.key_setup.keys == 1000
    assert result.key_setup.store == "SQLite" and result.key_setup.rpm_limit == 10_000_000
    assert "virtual-key auth (1,000 keys" in gateway.description
    names = [g.name for g in judge(result)]
    assert "start-up with 1,000 keys (process start to ready)" in names
    assert names[0].endswith("1,000 keys, rpm + budget on the calling key (SQLite)")
    report = render_markdown(result)
    assert "- virtual keys: 1,000 in the store" in report
    assert "rpm_limit 10,000,000/min and max_budget 1,000,000,000" in report
    assert any(line.startswith("seeding 1,000 virtual keys") for line in progress)
    assert _children() <= before


async def _database_exists(name: str) -> bool:
    engine = create_async_engine(PG_ADMIN_URL)
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(
                text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name}
            )
    finally:
        await engine.dispose()
    return bool(found)


async def _redis_keys(pattern: str) -> list[bytes]:
    client = Redis.from_url(REDIS_URL)
    try:
        return [key async for key in client.scan_iter(match=pattern)]
    finally:
        await client.aclose()


def test_two_instances_share_postgresql_and_redis() -> None:
    _need_servers()
    before = _children()
    progress: list[str] = []
    options = BenchOptions(
        quick=True,
        duration_s=0.5,
        connections=4,
        load_generator="builtin",
        upstream="mock",
        keys=300,
        instances=2,
        database_url="postgresql://postgres@127.0.0.1:5432/test",
        redis_url=REDIS_URL,
    )
    result = run_bench(options, progress=progress.append)
    for number in (1, 2):
        instance = result.target(f"{GATEWAY}-{number}")
        assert instance is not None and instance.error is None, result.notes
        assert instance.many_connections is not None and instance.many_connections.requests > 0
        assert instance.many_connections.errors == 0
        assert instance.startup_s is not None
    assert result.target(GATEWAY) is None
    assert result.key_setup is not None
    assert (result.key_setup.store, result.key_setup.limits_backend) == ("PostgreSQL", "Redis")
    assert len(judge(result)) == 4  # requests/s and start-up, for each instance
    assert "lockgate-2: ready" in render_markdown(result)
    # The run's database is dropped and its Redis keys deleted.
    created = [m.group(1) for line in progress if (m := re.match(r"creating .* (\S+)$", line))]
    assert len(created) == 1
    assert not asyncio.run(_database_exists(created[0]))
    prefixes = [m.group(1) for line in progress if (m := re.search(r"^Redis .* (\S+)$", line))]
    assert len(prefixes) == 1
    deleted = [
        int(m.group(1)) for line in progress if (m := re.match(r"deleted (\d+) Redis", line))
    ]
    assert deleted and deleted[0] > 0  # the instances kept their limits and budgets there
    assert asyncio.run(_redis_keys(f"*{prefixes[0]}*")) == []
    assert _children() <= before
