"""A script called over a connection of its own: loaded when Redis does not know it, the same
connection call after call, reopened when lost, given back on close."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from lockgate.limits.script_link import ScriptLink
from tests.servers import REDIS_URL, redis_prefix

pytestmark = pytest.mark.redis


@pytest.fixture
async def client() -> AsyncIterator[tuple[Redis, str]]:
    async with redis_prefix() as prefix:
        redis = Redis.from_url(REDIS_URL)
        try:
            yield redis, prefix
        finally:
            await redis.aclose()


def script() -> str:
    # A text no server has seen: the first call finds no script by its SHA1 and loads it.
    return f"-- {uuid.uuid4().hex}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])"


async def test_the_script_is_loaded_once_and_keeps_its_connection(
    client: tuple[Redis, str],
) -> None:
    redis, prefix = client
    link = ScriptLink(redis, script())
    key = "{" + prefix + "}:n"
    assert await link(keys=[key], args=["2"]) == 2
    connection = link._connection
    assert connection is not None
    assert await link(keys=[key.encode()], args=[b"3"]) == 5
    assert link._connection is connection
    assert await redis.get(key) == b"5"
    await link.aclose()
    assert link._connection is None
    assert await link(keys=[key], args=["1"]) == 6  # a call after close takes one again
    await link.aclose()


async def test_a_lost_connection_is_opened_again(client: tuple[Redis, str]) -> None:
    redis, prefix = client
    link = ScriptLink(redis, script())
    key = "{" + prefix + "}:n"
    assert await link(keys=[key], args=["1"]) == 1
    assert link._connection is not None
    await link._connection.disconnect()
    assert await link(keys=[key], args=["1"]) == 2
    await link.aclose()


async def test_an_unreachable_redis_raises_a_redis_error() -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        with pytest.raises(RedisConnectionError):
            await ScriptLink(dead, script())(keys=["k"], args=["1"])
    finally:
        await dead.aclose()
