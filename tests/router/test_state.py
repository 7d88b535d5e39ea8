"""The RouterState contract, run against both implementations (Redis: the real server)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from lockgate.router.state import (
    InMemoryRouterState,
    LatencyUpdate,
    Needs,
    RedisRouterState,
    RouterState,
)
from tests.router.conftest import connect_redis, drop_prefix, new_prefix

ALL = Needs(in_flight=True, usage=True, latency=True)
IDS = ("a", "b")


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def state(request: pytest.FixtureRequest) -> AsyncIterator[RouterState]:
    if request.param == "memory":
        yield InMemoryRouterState()
        return
    client = await connect_redis()
    prefix = new_prefix()
    state = RedisRouterState(client, prefix=prefix)
    try:
        yield state
    finally:
        await state.aclose()  # queued writes land before the test's keys are deleted
        await drop_prefix(client, prefix)
        await client.aclose()


async def test_counts_in_flight_requests_and_tokens(state: RouterState) -> None:
    await state.begin("a")
    await state.begin("a")
    await state.begin("b")
    await state.end("a", tokens=30, latency=None)
    snap = await state.read(IDS, ALL)
    assert snap.in_flight == [1, 1]
    assert snap.rpm == [2, 1]
    assert snap.tpm == [30, 0]
    assert snap.cooldown_left == [0.0, 0.0]
    assert snap.latency == [None, None]


async def test_in_flight_never_goes_negative(state: RouterState) -> None:
    await state.end("a", tokens=0, latency=None)
    await state.end("a", tokens=0, latency=None)
    await state.begin("a")
    snap = await state.read(IDS, Needs(in_flight=True))
    assert snap.in_flight == [1, 0]


async def test_only_the_figures_asked_for_are_read(state: RouterState) -> None:
    snap = await state.read(IDS, Needs())
    assert snap.in_flight is None and snap.rpm is None and snap.latency is None


async def test_latency_is_a_moving_average_that_expires(state: RouterState) -> None:
    await state.end("a", tokens=0, latency=LatencyUpdate(1.0, 0.5, ttl=0.3))
    await state.end("a", tokens=0, latency=LatencyUpdate(0.0, 0.5, ttl=0.3))
    await state.end("b", tokens=0, latency=LatencyUpdate(0.25, 0.5, ttl=60))
    snap = await state.read(IDS, Needs(latency=True))
    assert snap.latency == [pytest.approx(0.5), pytest.approx(0.25)]
    await asyncio.sleep(0.4)
    snap = await state.read(IDS, Needs(latency=True))
    assert snap.latency == [None, pytest.approx(0.25)]


async def test_failures_past_the_allowance_start_a_cooldown_that_ends(state: RouterState) -> None:
    kw = {"allowed_fails": 2, "window": 60.0, "cooldown": 0.3}
    assert not await state.record_failure("a", **kw)
    assert not await state.record_failure("a", **kw)
    assert await state.record_failure("a", **kw)
    left = (await state.read(IDS, Needs())).cooldown_left
    assert 0.1 < left[0] <= 0.3 and left[1] == 0.0
    await asyncio.sleep(0.35)
    assert (await state.read(IDS, Needs())).cooldown_left == [0.0, 0.0]
    # The count started again after the cooldown.
    assert not await state.record_failure("a", **kw)


async def test_failures_outside_the_window_are_forgotten(state: RouterState) -> None:
    kw = {"allowed_fails": 1, "window": 0.2, "cooldown": 5.0}
    assert not await state.record_failure("a", **kw)
    await asyncio.sleep(0.3)
    assert not await state.record_failure("a", **kw)
    assert await state.record_failure("a", **kw)


async def test_a_shorter_cooldown_does_not_cut_a_longer_one(state: RouterState) -> None:
    await state.start_cooldown("b", 2.0)
    await state.start_cooldown("b", 0.05)
    left = (await state.read(IDS, Needs())).cooldown_left
    assert left[0] == 0.0 and left[1] > 1.5


async def test_memory_usage_counts_restart_each_minute() -> None:
    now = [600.0]
    state = InMemoryRouterState(wall_clock=lambda: now[0])
    await state.begin("a")
    await state.end("a", tokens=5, latency=None)
    assert (await state.read(("a",), Needs(usage=True))).rpm == [1]
    now[0] += 60.0
    snap = await state.read(("a",), Needs(usage=True))
    assert snap.rpm == [0] and snap.tpm == [0]


async def test_memory_cooldown_follows_the_injected_clock() -> None:
    now = [100.0]
    state = InMemoryRouterState(clock=lambda: now[0])
    await state.start_cooldown("a", 5.0)
    assert (await state.read(("a",), Needs())).cooldown_left == [5.0]
    now[0] += 5.0
    assert (await state.read(("a",), Needs())).cooldown_left == [0.0]


@pytest.mark.redis
async def test_redis_keys_are_namespaced_and_all_expire(
    redis_client: Redis, redis_prefix: str
) -> None:
    state = RedisRouterState(redis_client, prefix=redis_prefix)
    await state.begin("a")
    await state.end("a", tokens=3, latency=LatencyUpdate(0.1, 0.5, 60))
    await state.record_failure("a", allowed_fails=5, window=60, cooldown=1)
    await state.start_cooldown("a", 1.0)
    await state.flush()  # writes are queued, not waited for
    keys = [k async for k in redis_client.scan_iter(match="{" + redis_prefix + "}*")]
    assert len(keys) == 6, keys  # in-flight, rpm, tpm, latency, failures, cooldown
    for key in keys:
        assert await redis_client.pttl(key) > 0, key


async def test_redis_unreachable_routes_without_shared_state() -> None:
    state = RedisRouterState.from_url("redis://127.0.0.1:1/0", timeout=0.5)
    try:
        await state.begin("a")
        await state.end("a", tokens=1, latency=LatencyUpdate(0.1, 0.5, 60))
        assert not await state.record_failure("a", allowed_fails=0, window=1, cooldown=1)
        await state.start_cooldown("a", 1.0)
        snap = await state.read(IDS, ALL)
    finally:
        await state.aclose()
    assert snap.cooldown_left == [0.0, 0.0] and snap.in_flight == [0, 0]
    assert snap.latency == [None, None]
