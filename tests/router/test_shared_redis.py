"""Two routers (two gateway instances) sharing one Redis see each other's cooldowns,
usage and in-flight requests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

import lockgate
from lockgate.mock import MockServer
from lockgate.router import RedisRouterState, Router
from tests.router.conftest import MESSAGES, Deploy, MakeRouter, served_by

pytestmark = pytest.mark.redis


@pytest.fixture
async def shared(
    redis_client: Redis, redis_prefix: str
) -> AsyncIterator[tuple[RedisRouterState, RedisRouterState]]:
    # Each instance has its own state object (and could have its own connection).
    states = (
        RedisRouterState(redis_client, prefix=redis_prefix),
        RedisRouterState(redis_client, prefix=redis_prefix),
    )
    yield states
    for state in states:  # queued writes land before the test's keys are deleted
        await state.flush()


async def _wait_for_a_fresh_minute() -> None:
    """Usage is counted per wall-clock minute: do not straddle a minute boundary."""
    if time.time() % 60 > 58:
        await asyncio.sleep(60 - time.time() % 60 + 0.05)


async def test_a_cooldown_set_by_one_instance_is_seen_by_the_other(
    deploy: Deploy,
    make_router: MakeRouter,
    mock: MockServer,
    shared: tuple[RedisRouterState, RedisRouterState],
) -> None:
    model_list = [deploy("g", "mock-a", order=1), deploy("g", "mock-b", order=2)]
    one = make_router(model_list, state=shared[0], cooldown_time=0.4, allowed_fails=0)
    two = make_router(model_list, state=shared[1], cooldown_time=0.4, allowed_fails=0)
    mock.script([{"model": "mock-a", "status": 500}])
    assert served_by(await one.acompletion("g", MESSAGES)) == "mock-b"
    # The other instance never saw mock-a fail, yet skips it while it cools down...
    assert served_by(await two.acompletion("g", MESSAGES)) == "mock-b"
    assert sum(1 for r in mock.requests if r["body"]["model"] == "mock-a") == 1
    # ...and uses it again once the cooldown expires in Redis.
    await asyncio.sleep(0.45)
    assert served_by(await two.acompletion("g", MESSAGES)) == "mock-a"


async def test_usage_counted_by_one_instance_limits_the_other(
    deploy: Deploy, make_router: MakeRouter, shared: tuple[RedisRouterState, RedisRouterState]
) -> None:
    await _wait_for_a_fresh_minute()
    model_list = [deploy("g", "mock-a", rpm=2), deploy("g", "mock-b", rpm=2)]
    one = make_router(model_list, state=shared[0], routing_strategy="usage-based-routing-v2")
    two = make_router(model_list, state=shared[1], routing_strategy="usage-based-routing-v2")
    served = [served_by(await one.acompletion("g", MESSAGES)) for _ in range(3)]
    assert sorted(served) in (["mock-a", "mock-a", "mock-b"], ["mock-a", "mock-b", "mock-b"])
    # One request of the 4 allowed this minute is left, and instance two knows which.
    last = served_by(await two.acompletion("g", MESSAGES))
    assert sorted([*served, last]) == ["mock-a", "mock-a", "mock-b", "mock-b"]
    with pytest.raises(lockgate.RateLimitError):
        await two.acompletion("g", MESSAGES)
    with pytest.raises(lockgate.RateLimitError):
        await one.acompletion("g", MESSAGES)


async def test_requests_in_flight_on_one_instance_steer_the_other(
    deploy: Deploy, make_router: MakeRouter, shared: tuple[RedisRouterState, RedisRouterState]
) -> None:
    model_list = [deploy("g", "mock-a"), deploy("g", "mock-b")]
    one = make_router(model_list, state=shared[0], routing_strategy="least-busy")
    two = make_router(model_list, state=shared[1], routing_strategy="least-busy")
    stream = await one.acompletion("g", MESSAGES, stream=True)
    busy = served_by(stream)
    for _ in range(4):
        assert served_by(await two.acompletion("g", MESSAGES)) != busy
    await stream.aclose()  # type: ignore[union-attr]


async def test_latency_measured_by_one_instance_guides_the_other(
    deploy: Deploy, make_router: MakeRouter, shared: tuple[RedisRouterState, RedisRouterState]
) -> None:
    model_list = [deploy("g", "mock-tortoise-slow-120ms"), deploy("g", "mock-hare")]
    one = make_router(model_list, state=shared[0], routing_strategy="latency-based-routing")
    two = make_router(model_list, state=shared[1], routing_strategy="latency-based-routing")
    for _ in range(2):  # one instance measures both
        await one.acompletion("g", MESSAGES)
    for _ in range(5):
        assert served_by(await two.acompletion("g", MESSAGES)) == "mock-hare"


async def test_a_router_configured_with_redis_settings_shares_state(
    deploy: Deploy,
    client: lockgate.Client,
    mock: MockServer,
    redis_client: Redis,
    redis_prefix: str,
) -> None:
    model_list = [deploy("g", "mock-a", order=1), deploy("g", "mock-b", order=2)]
    settings = {"allowed_fails": 0, "cooldown_time": 5, "redis_key_prefix": redis_prefix}
    one = Router(
        model_list=model_list, redis_host="127.0.0.1", redis_port=6379, client=client, **settings
    )
    two = Router(
        model_list=model_list, redis_url="redis://127.0.0.1:6379/0", client=client, **settings
    )
    try:
        assert isinstance(one.state, RedisRouterState) and isinstance(two.state, RedisRouterState)
        mock.script([{"model": "mock-a", "status": 503, "retry_after_s": 5}])
        await one.acompletion("g", MESSAGES)
        assert served_by(await two.acompletion("g", MESSAGES)) == "mock-b"
    finally:
        await one.aclose()
        await two.aclose()
