"""The Redis router state's batching: operations of concurrent requests share script calls,
shared reads still see this instance's own writes, and failures stay out of requests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from lockgate.router.state import LatencyUpdate, Needs, RedisRouterState

pytestmark = pytest.mark.redis

IDS = ("a", "b")
USAGE = Needs(usage=True)


class Calls:
    """Counts the script calls a router state makes (on its own connection, so through its
    queue's script rather than the client's commands)."""

    def __init__(self, state: RedisRouterState) -> None:
        self.count = 0
        original = state._queue._script

        async def counted(**kwargs: Any) -> Any:
            self.count += 1
            return await original(**kwargs)

        state._queue._script = counted  # type: ignore[assignment]


@pytest.fixture
async def state(redis_client: Redis, redis_prefix: str) -> AsyncIterator[RedisRouterState]:
    state = RedisRouterState(redis_client, prefix=redis_prefix)
    yield state
    await state.aclose()


async def test_concurrent_requests_share_calls_and_every_write_lands(
    redis_client: Redis, redis_prefix: str
) -> None:
    state = RedisRouterState(redis_client, prefix=redis_prefix)
    await state.read(IDS, USAGE)  # the script is loaded
    calls = Calls(state)

    async def request(n: int) -> None:
        await state.read(IDS, USAGE)
        await state.begin(IDS[n % 2])
        await asyncio.sleep(0)
        await state.end(IDS[n % 2], tokens=10, latency=LatencyUpdate(0.1, 0.5, 60))

    await asyncio.gather(*(request(n) for n in range(40)))
    await state.aclose()
    assert calls.count <= 10  # 120 operations, one at a time would be 120 calls
    other = RedisRouterState(redis_client, prefix=redis_prefix)
    snap = await other.read(IDS, Needs(in_flight=True, usage=True, latency=True))
    assert snap.in_flight == [0, 0]
    assert snap.rpm == [20, 20] and snap.tpm == [200, 200]
    assert snap.latency == [pytest.approx(0.1), pytest.approx(0.1)]


async def test_requests_sharing_a_read_see_each_others_begins(
    redis_client: Redis, state: RedisRouterState
) -> None:
    await state.read(IDS, USAGE)
    calls = Calls(state)
    seen: list[int] = []

    async def request() -> None:
        snap = await state.read(IDS, USAGE)
        assert snap.rpm is not None
        seen.append(snap.rpm[0])
        await state.begin("a")  # as the router does, with no pause after the read

    await asyncio.gather(*(request() for _ in range(8)))
    assert calls.count == 2  # one read all eight share, then one call for their begins
    assert seen == list(range(8))  # an rpm limit of n admits exactly n


async def test_requests_sharing_a_read_spread_by_in_flight_counts(
    state: RedisRouterState,
) -> None:
    picked: list[str] = []

    async def request() -> None:
        snap = await state.read(IDS, Needs(in_flight=True))
        assert snap.in_flight is not None
        choice = IDS[snap.in_flight.index(min(snap.in_flight))]
        picked.append(choice)
        await state.begin(choice)

    await asyncio.gather(*(request() for _ in range(6)))
    assert picked.count("a") == 3 and picked.count("b") == 3


async def test_a_cooldown_shows_at_once_here_and_after_a_call_elsewhere(
    redis_client: Redis, redis_prefix: str, state: RedisRouterState
) -> None:
    queued = asyncio.ensure_future(state.read(IDS, Needs()))
    await asyncio.sleep(0)  # that read is queued (or sent)
    await state.start_cooldown("b", 5.0)
    joined = await state.read(IDS, Needs())  # shares the read queued before the cooldown
    assert joined.cooldown_left[0] == 0.0 and joined.cooldown_left[1] > 4.0
    assert (await queued).cooldown_left[1] > 4.0
    other = RedisRouterState(redis_client, prefix=redis_prefix)
    assert (await other.read(IDS, Needs())).cooldown_left[1] > 4.0


async def test_a_lone_deployment_with_nothing_asked_reads_nothing(
    redis_client: Redis, state: RedisRouterState
) -> None:
    calls = Calls(state)
    assert (await state.read(("a",), Needs())).cooldown_left == [0.0]
    assert calls.count == 0
    await state.start_cooldown("a", 2.0)
    assert (await state.read(("a",), Needs())).cooldown_left[0] > 1.5  # its own cooldown


async def test_a_failure_cooldown_is_seen_by_the_next_read_of_this_instance(
    state: RedisRouterState,
) -> None:
    assert await state.record_failure("a", allowed_fails=0, window=60, cooldown=3.0)
    assert (await state.read(IDS, Needs())).cooldown_left[0] > 2.5


async def test_aclose_sends_what_is_queued(redis_client: Redis, redis_prefix: str) -> None:
    state = RedisRouterState(redis_client, prefix=redis_prefix)
    for _ in range(3):
        await state.begin("a")
    await state.end("a", tokens=7, latency=None)
    await state.aclose()
    snap = await RedisRouterState(redis_client, prefix=redis_prefix).read(
        IDS, Needs(in_flight=True, usage=True)
    )
    assert snap.in_flight == [2, 0] and snap.rpm == [3, 0] and snap.tpm == [7, 0]


async def test_a_full_queue_drops_writes_and_logs(
    redis_client: Redis, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    state = RedisRouterState(redis_client, prefix=redis_prefix, max_pending=2)
    with caplog.at_level(logging.WARNING):
        for _ in range(5):  # nothing yields: all five are submitted before any call
            await state.begin("a")
    await state.aclose()
    assert "queue full" in caplog.text
    snap = await RedisRouterState(redis_client, prefix=redis_prefix).read(IDS, USAGE)
    assert snap.rpm == [2, 0]


async def test_one_failing_operation_does_not_fail_its_batch(
    redis_client: Redis,
    redis_prefix: str,
    state: RedisRouterState,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await redis_client.lpush("{" + redis_prefix + "}:if:a", "x")  # a key of the wrong type
    with caplog.at_level(logging.WARNING):
        await state.begin("a")
        await state.begin("b")
        assert (await state.read(("b",), Needs(in_flight=True))).in_flight == [1]
        assert (await state.read(IDS, Needs(in_flight=True))).in_flight == [0, 0]
    assert "WRONGTYPE" in caplog.text
    assert await redis_client.get("{" + redis_prefix + "}:if:b") == b"1"


async def test_a_cancelled_reader_does_not_cancel_the_others(state: RedisRouterState) -> None:
    await state.begin("a")
    first = asyncio.ensure_future(state.read(IDS, USAGE))
    second = asyncio.ensure_future(state.read(IDS, USAGE))
    await asyncio.sleep(0)
    first.cancel()
    snap = await second
    assert snap.rpm == [1, 0]
    assert first.cancelled()
