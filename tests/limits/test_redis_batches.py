"""The Redis backend's batching: concurrent operations share script calls without changing
what each one sees; a lost Redis reaches every caller, a failing operation only its own;
nothing submitted is lost on close; a reservation whose caller went away is released."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

import pytest
from redis.asyncio import Redis

from lockgate.errors import ServiceUnavailableError
from lockgate.limits import Bucket
from lockgate.limits.redis_backend import RedisLimitBackend
from lockgate.limits.windows import minute_of
from tests.servers import REDIS_URL, redis_prefix

pytestmark = pytest.mark.redis

NOW = 1_700_000_000.0


def rid() -> str:
    return uuid.uuid4().hex


class CountingScript:
    """Wraps the backend's batch script: counts calls, can hold a call until released."""

    def __init__(self, script: Any) -> None:
        self.script = script
        self.calls = 0
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()

    async def __call__(self, **kwargs: Any) -> Any:
        self.calls += 1
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        return await self.script(**kwargs)


@pytest.fixture
async def client() -> AsyncIterator[tuple[Redis, str]]:
    async with redis_prefix() as prefix:
        redis = Redis.from_url(REDIS_URL)
        try:
            yield redis, prefix
        finally:
            await redis.aclose()


def counted(backend: RedisLimitBackend, max_batch: int | None = None) -> CountingScript:
    batcher = backend._batcher
    counter = CountingScript(batcher._script)
    batcher._script = counter  # type: ignore[assignment]
    if max_batch is not None:
        batcher._max = max_batch
    return counter


async def test_concurrent_reservations_share_calls_and_keep_the_budget(
    client: tuple[Redis, str],
) -> None:
    backend = RedisLimitBackend(*client)
    counter = counted(backend)
    bucket = Bucket("key:a", "key 'a'", budget_nano=1000, rpm=100)
    verdicts = await asyncio.gather(
        *(backend.reserve([bucket], rid(), 300, 5, NOW, 60) for _ in range(10))
    )
    assert counter.calls == 1
    assert [v.ok for v in verdicts] == [True] * 3 + [False] * 7  # in submission order
    assert [v.requests for v in verdicts[:3]] == [(1,), (2,), (3,)]
    assert [v.tokens for v in verdicts[:3]] == [(5,), (10,), (15,)]
    assert verdicts[3].reason == "budget" and verdicts[3].reserved_nano == 900


async def test_operations_submitted_during_a_call_go_into_the_next(
    client: tuple[Redis, str],
) -> None:
    backend = RedisLimitBackend(*client)
    counter = counted(backend)
    counter.gate = asyncio.Event()
    bucket = Bucket("key:b", "key 'b'", budget_nano=1000)
    first_id = rid()
    first = asyncio.create_task(backend.reserve([bucket], first_id, 1000, 0, NOW, 60))
    await counter.entered.wait()  # the first call is in flight, held
    # Submitted meanwhile: a settlement of the first, then reservations it makes room for.
    settled = asyncio.create_task(backend.settle([bucket], first_id, 1000, 400, 0, minute_of(NOW)))
    later = [
        asyncio.create_task(backend.reserve([bucket], rid(), 300, 0, NOW, 60)) for _ in range(3)
    ]
    await asyncio.sleep(0.01)
    counter.gate.set()
    assert (await first).ok
    await settled
    assert [(await t).ok for t in later] == [True, True, False]  # 400 spent + 2 x 300
    assert counter.calls == 2


async def test_batches_are_capped(client: tuple[Redis, str]) -> None:
    backend = RedisLimitBackend(*client)
    counter = counted(backend, max_batch=2)
    bucket = Bucket("key:c", "key 'c'", rpm=4)
    verdicts = await asyncio.gather(
        *(backend.reserve([bucket], rid(), 0, 0, NOW, 60) for _ in range(5))
    )
    assert counter.calls == 3
    assert [v.ok for v in verdicts] == [True] * 4 + [False]
    assert verdicts[4].reason == "rpm" and verdicts[4].bucket == 0


async def test_several_buckets_and_groups_in_one_batch(client: tuple[Redis, str]) -> None:
    """Requests of different keys sharing a team: the team's keys appear once per batch."""
    backend = RedisLimitBackend(*client)
    counted(backend)
    team = Bucket("team:t", "team 't'", budget_nano=500)
    keys = [Bucket(f"key:{i}", f"key '{i}'", budget_nano=10_000, rpm=10) for i in range(4)]
    verdicts = await asyncio.gather(
        *(backend.reserve([keys[i], team], rid(), 200, 0, NOW, 60) for i in range(4))
    )
    assert [v.ok for v in verdicts] == [True, True, False, False]
    assert verdicts[2].bucket == 1 and verdicts[2].reserved_nano == 400
    assert (await backend.reserve([keys[2]], rid(), 200, 0, NOW, 60)).requests == (1,)


async def _run_mixed_operations(
    backend: RedisLimitBackend, *, in_one_call: bool, seed: int
) -> list[Any]:
    """A fixed random mix of reservations and settlements over buckets with every kind of
    limit, some shared between requests; each request's id is its index."""
    rng = random.Random(seed)
    key_a = Bucket("key:a", "key 'a'", budget_nano=25_000, parallel=4)
    key_b = Bucket("key:b", "key 'b'", tpm=300, window=3)
    key_c = Bucket("key:c", "key 'c'", rpm=12)
    team = Bucket("team:t", "team 't'", budget_nano=20_000, window=3, parallel=12)
    choices = [[key_a], [key_b], [key_c], [key_a, team], [key_c, team], [key_b, team], [team]]
    reserved: list[tuple[list[Bucket], str, int]] = []
    operations: list[Callable[[], Awaitable[Any]]] = []
    for number in range(100):
        if reserved and rng.random() < 0.4:
            buckets, id_, cost = reserved.pop(rng.randrange(len(reserved)))
            actual, delta = rng.choice([0, cost // 2, cost]), rng.randint(-30, 30)
            operations.append(
                partial(backend.settle, buckets, id_, cost, actual, delta, minute_of(NOW))
            )
        else:
            buckets, cost, tokens = rng.choice(choices), rng.randint(0, 4_000), rng.randint(0, 120)
            reserved.append((buckets, f"r{number}", cost))
            operations.append(
                partial(backend.reserve, buckets, f"r{number}", cost, tokens, NOW, 60)
            )
    if in_one_call:
        return list(await asyncio.gather(*(operation() for operation in operations)))
    return [await operation() for operation in operations]


async def _state(redis: Redis, prefix: str) -> dict[str, Any]:
    """Every key of the prefix (named without it), its value and whether it expires."""
    state: dict[str, Any] = {}
    async for name in redis.scan_iter(match="{" + prefix + ":limits}*"):
        kind = (await redis.type(name)).decode()
        if kind == "string":
            value: Any = await redis.get(name)
        elif kind == "hash":
            value = await redis.hgetall(name)
        else:
            value = await redis.zrange(name, 0, -1, withscores=True)
        text = name.decode() if isinstance(name, bytes) else name
        state[text.split("}", 1)[1]] = (kind, value, await redis.ttl(name) > 0)
    return state


@pytest.mark.parametrize("seed", [2, 4, 5, 9])
async def test_one_call_gives_what_one_operation_a_call_gives(
    client: tuple[Redis, str], seed: int
) -> None:
    """Operations batched into one script call read what the earlier ones of the call
    wrote (the script keeps it rather than ask again): replies and the state left in
    Redis are those of the same operations sent one by one."""
    redis, prefix = client
    async with redis_prefix() as other_prefix:
        one_by_one = RedisLimitBackend(redis, other_prefix)
        sequential = await _run_mixed_operations(one_by_one, in_one_call=False, seed=seed)
        batched_backend = RedisLimitBackend(redis, prefix)
        counter = counted(batched_backend)
        batched = await _run_mixed_operations(batched_backend, in_one_call=True, seed=seed)
        assert counter.calls == 1
        assert batched == sequential
        refused = {v.reason for v in sequential if v is not None and not v.ok}
        assert refused >= {"budget", "rpm", "parallel", "tpm"}  # every limit was reached
        assert await _state(redis, prefix) == await _state(redis, other_prefix)
        await one_by_one.aclose()
        await batched_backend.aclose()


async def test_a_redis_failure_reaches_every_caller(client: tuple[Redis, str]) -> None:
    _, prefix = client
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        backend = RedisLimitBackend(dead, prefix)
        bucket = Bucket("key:d", "key 'd'", budget_nano=1000)
        results = await asyncio.gather(
            backend.reserve([bucket], rid(), 1, 0, NOW, 60),
            backend.settle([bucket], rid(), 1, 1, 0, minute_of(NOW)),
            return_exceptions=True,
        )
        assert all(isinstance(r, ServiceUnavailableError) for r in results)
        assert all(r.status_code == 503 for r in results if isinstance(r, ServiceUnavailableError))
    finally:
        await dead.aclose()


async def test_close_waits_for_submitted_settlements(client: tuple[Redis, str]) -> None:
    redis, prefix = client
    backend, other = RedisLimitBackend(redis, prefix), RedisLimitBackend(redis, prefix)
    bucket = Bucket("key:e", "key 'e'", budget_nano=1000)
    held = rid()
    assert (await backend.reserve([bucket], held, 1000, 0, NOW, 60)).ok
    settling = asyncio.create_task(backend.settle([bucket], held, 1000, 100, 0, minute_of(NOW)))
    await asyncio.sleep(0)  # submitted, not yet run
    await backend.aclose()
    assert settling.done()
    assert (await other.reserve([bucket], rid(), 900, 0, NOW, 60)).ok


async def test_an_abandoned_reservation_is_released(client: tuple[Redis, str]) -> None:
    """A caller cancelled while its reservation is in flight never settles it: the backend
    releases it, rather than hold the budget and the parallel slot until it expires."""
    backend = RedisLimitBackend(*client)
    counter = counted(backend)
    counter.gate = asyncio.Event()
    bucket = Bucket("key:f", "key 'f'", budget_nano=1000, parallel=1)
    now = time.time()
    abandoned = asyncio.create_task(backend.reserve([bucket], rid(), 1000, 0, now, 60))
    await counter.entered.wait()
    abandoned.cancel()
    counter.gate.set()
    with pytest.raises(asyncio.CancelledError):
        await abandoned
    await backend.aclose()  # the release has run
    verdict = await backend.reserve([bucket], rid(), 1000, 0, now, 60)
    assert verdict.ok


async def test_a_client_decoding_responses_works(client: tuple[Redis, str]) -> None:
    _, prefix = client
    decoding = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        backend = RedisLimitBackend(decoding, prefix)
        bucket = Bucket("key:g", "key 'g'", budget_nano=100, tpm=50)
        first = rid()
        assert (await backend.reserve([bucket], first, 100, 10, NOW, 60)).tokens == (10,)
        await backend.settle([bucket], first, 100, 100, 2, minute_of(NOW))
        refused = await backend.reserve([bucket], rid(), 0, 0, NOW, 60)
        assert refused.reason == "budget" and refused.spent_nano == 100
    finally:
        await decoding.aclose()


async def test_reservation_ids_cannot_break_the_operation_format(
    client: tuple[Redis, str],
) -> None:
    backend = RedisLimitBackend(*client)
    bucket = Bucket("key:h", "key 'h'", rpm=1)
    for bad in ("", "a b", "a\nb"):
        with pytest.raises(ValueError, match="reservation id"):
            await backend.reserve([bucket], bad, 0, 0, NOW, 60)
        with pytest.raises(ValueError, match="reservation id"):
            await backend.settle([bucket], bad, 0, 0, 0, minute_of(NOW))
    assert (await backend.reserve([bucket], "ok-1|x", 0, 0, NOW, 60)).ok


async def test_a_failing_operation_fails_alone(client: tuple[Redis, str]) -> None:
    """A key of the wrong type breaks its own request (503), not the others in the batch."""
    redis, prefix = client
    backend = RedisLimitBackend(redis, prefix)
    counter = counted(backend)
    await redis.set(f"{{{prefix}:limits}}:mn:key:broken:{minute_of(NOW)}", "not a hash")
    broken = Bucket("key:broken", "key 'broken'", rpm=10)
    fine = Bucket("key:fine", "key 'fine'", rpm=10)
    results = await asyncio.gather(
        backend.reserve([fine], rid(), 0, 0, NOW, 60),
        backend.reserve([broken], rid(), 0, 0, NOW, 60),
        backend.reserve([fine], rid(), 0, 0, NOW, 60),
        return_exceptions=True,
    )
    assert counter.calls == 1
    first, failed, last = results
    assert isinstance(failed, ServiceUnavailableError) and "WRONGTYPE" in str(failed)
    assert not isinstance(first, BaseException) and first.requests == (1,)
    assert not isinstance(last, BaseException) and last.requests == (2,)


async def test_every_key_written_expires_and_counters_keep_their_first_ttl() -> None:
    """The minute's counters and a budget window's spend get their TTL when they are made
    (their names hold the minute or window, so it outlasts them); later requests do not
    write it again. The holds and the reserved sum are refreshed by every reservation."""
    async with redis_prefix() as prefix:
        client = Redis.from_url(REDIS_URL)
        try:
            backend = RedisLimitBackend(client, prefix)
            window_end = NOW + 3_600
            bucket = Bucket(
                "key:t",
                "key 't'",
                budget_nano=10**9,
                rpm=100,
                tpm=10**6,
                window=7,
                window_end=window_end,
            )
            first = rid()
            assert (await backend.reserve([bucket], first, 500, 10, NOW, 60)).ok
            await backend.settle([bucket], first, 500, 200, 0, minute_of(NOW))
            keys = [key async for key in client.scan_iter(match=f"*{prefix}*")]
            assert keys, "the script wrote keys under the prefix"
            ttls = {key: await client.ttl(key) for key in keys}
            assert all(ttl > 0 for ttl in ttls.values()), ttls
            spent = next(k for k in keys if b":sp:" in k)
            minute = next(k for k in keys if b":mn:" in k)
            # Shorten both: a second request must leave them as they are.
            await client.expire(spent, 5_000)
            await client.expire(minute, 50)
            second = rid()
            assert (await backend.reserve([bucket], second, 500, 10, NOW, 60)).ok
            await backend.settle([bucket], second, 500, 300, 0, minute_of(NOW))
            assert 4_990 < await client.ttl(spent) <= 5_000
            assert 40 < await client.ttl(minute) <= 50
            assert int(await client.get(spent)) == 500
            assert await client.hget(minute, "r") == b"2"
            await backend.aclose()
        finally:
            await client.aclose()
