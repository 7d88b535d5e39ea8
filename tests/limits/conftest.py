"""Both limit backends, so every behaviour is checked in-process and on the real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from lockgate.limits import InMemoryLimitBackend, LimitBackend
from lockgate.limits.redis_backend import RedisLimitBackend
from tests.servers import REDIS_URL, redis_prefix


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[LimitBackend]:
    if request.param == "memory":
        yield InMemoryLimitBackend()
        return
    async with redis_prefix() as prefix:
        client = Redis.from_url(REDIS_URL)
        try:
            yield RedisLimitBackend(client, prefix)
        finally:
            await client.aclose()


@pytest.fixture
async def redis_pair() -> AsyncIterator[tuple[LimitBackend, LimitBackend]]:
    """Two instances' backends on one Redis (separate connections)."""
    async with redis_prefix() as prefix:
        one, two = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
        try:
            yield RedisLimitBackend(one, prefix), RedisLimitBackend(two, prefix)
        finally:
            await one.aclose()
            await two.aclose()
