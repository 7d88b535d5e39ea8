"""The real PostgreSQL and Redis servers for tests: a database or key prefix of the test's
own, removed afterwards. A missing server skips the test, or fails it when CI is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PG_HOST = "postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _missing(what: str, error: BaseException) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI and is not reachable: {error}")
    pytest.skip(f"no {what}: {error}")


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A fresh database; yields its LiteLLM-style URL (``postgresql://...``)."""
    import asyncpg

    name = f"lockgate_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(f"postgresql://{PG_HOST}/test", timeout=3)
    except (OSError, asyncpg.PostgresError) as error:
        _missing("PostgreSQL at 127.0.0.1:5432", error)
        raise
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql://{PG_HOST}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test alone; its keys are deleted afterwards."""
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2.0)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        await client.aclose()
        _missing("Redis at 127.0.0.1:6379", error)
        raise
    prefix = f"lgtest-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        keys = [k async for k in client.scan_iter(match="{" + prefix + "*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
