"""The limit backends: atomic reservations, settlement, expiry of unsettled holds."""

from __future__ import annotations

import asyncio
import time
import uuid

from lockgate.limits import Bucket, LimitBackend
from lockgate.limits.windows import minute_of

NOW = 1_700_000_000.0  # mid-minute: 1_700_000_000 % 60 == 20


def rid() -> str:
    return uuid.uuid4().hex


async def test_budget_reservations_never_exceed_the_budget(backend: LimitBackend) -> None:
    bucket = Bucket("key:a", "key 'a'", budget_nano=1000)
    verdicts = await asyncio.gather(
        *(backend.reserve([bucket], rid(), 300, 0, NOW, 60) for _ in range(10))
    )
    assert sum(v.ok for v in verdicts) == 3
    refused = next(v for v in verdicts if not v.ok)
    assert refused.reason == "budget" and refused.reserved_nano == 900


async def test_settlement_replaces_the_reservation_by_the_actual_cost(
    backend: LimitBackend,
) -> None:
    bucket = Bucket("key:a", "key 'a'", budget_nano=1000)
    first = rid()
    assert (await backend.reserve([bucket], first, 900, 0, NOW, 60)).ok
    assert not (await backend.reserve([bucket], rid(), 200, 0, NOW, 60)).ok
    await backend.settle([bucket], first, 900, 100, 0, minute_of(NOW))
    assert (await backend.reserve([bucket], rid(), 800, 0, NOW, 60)).ok  # 100 spent + 800
    refused = await backend.reserve([bucket], rid(), 200, 0, NOW, 60)
    assert refused.reason == "budget" and refused.spent_nano == 100


async def test_an_exhausted_budget_refuses_even_free_requests(backend: LimitBackend) -> None:
    bucket = Bucket("key:a", "key 'a'", budget_nano=100)
    first = rid()
    assert (await backend.reserve([bucket], first, 0, 0, NOW, 60)).ok
    await backend.settle([bucket], first, 0, 100, 0, minute_of(NOW))
    assert not (await backend.reserve([bucket], rid(), 0, 0, NOW, 60)).ok


async def test_unsettled_reservations_expire(backend: LimitBackend) -> None:
    """An instance killed mid-request never settles: its hold lapses after hold_seconds."""
    bucket = Bucket("key:a", "key 'a'", budget_nano=1000, parallel=1)
    now = time.time()
    assert (await backend.reserve([bucket], rid(), 1000, 0, now, 0.2)).ok
    refused = await backend.reserve([bucket], rid(), 1, 0, now, 0.2)
    assert not refused.ok and refused.reason == "parallel"
    assert (await backend.reserve([bucket], rid(), 1000, 0, now + 0.3, 0.2)).ok


async def test_rpm_tpm_and_parallel(backend: LimitBackend) -> None:
    rpm = Bucket("key:r", "key 'r'", rpm=2)
    assert (await backend.reserve([rpm], rid(), 0, 0, NOW, 60)).ok
    second = await backend.reserve([rpm], rid(), 0, 0, NOW, 60)
    assert second.ok and second.requests == (2,)
    assert (await backend.reserve([rpm], rid(), 0, 0, NOW, 60)).reason == "rpm"
    assert (await backend.reserve([rpm], rid(), 0, 0, NOW + 60, 60)).ok  # next minute

    tpm = Bucket("key:t", "key 't'", tpm=100)
    first = rid()
    assert (await backend.reserve([tpm], first, 0, 60, NOW, 60)).ok
    assert (await backend.reserve([tpm], rid(), 0, 50, NOW, 60)).reason == "tpm"
    await backend.settle([tpm], first, 0, 0, -30, minute_of(NOW))  # used 30, not 60
    assert (await backend.reserve([tpm], rid(), 0, 50, NOW, 60)).ok

    parallel = Bucket("key:p", "key 'p'", parallel=1)
    held = rid()
    assert (await backend.reserve([parallel], held, 0, 0, NOW, 60)).ok
    assert (await backend.reserve([parallel], rid(), 0, 0, NOW, 60)).reason == "parallel"
    await backend.settle([parallel], held, 0, 0, 0, minute_of(NOW))
    assert (await backend.reserve([parallel], rid(), 0, 0, NOW, 60)).ok


async def test_all_buckets_or_none(backend: LimitBackend) -> None:
    """A request refused by its team takes nothing from its key."""
    key = Bucket("key:k", "key 'k'", budget_nano=1000, rpm=10)
    team = Bucket("team:t", "team 't'", budget_nano=100)
    refused = await backend.reserve([key, team], rid(), 200, 0, NOW, 60)
    assert not refused.ok and refused.bucket == 1 and refused.reason == "budget"
    ok = await backend.reserve([key], rid(), 1000, 0, NOW, 60)
    assert ok.ok and ok.requests == (1,)


async def test_budget_windows_are_separate(backend: LimitBackend) -> None:
    old = Bucket("key:w", "key 'w'", budget_nano=100, window=1, window_end=NOW + 5)
    new = Bucket("key:w", "key 'w'", budget_nano=100, window=2, window_end=NOW + 5)
    first = rid()
    assert (await backend.reserve([old], first, 100, 0, NOW, 60)).ok
    await backend.settle([old], first, 100, 100, 0, minute_of(NOW))
    assert not (await backend.reserve([old], rid(), 1, 0, NOW, 60)).ok
    assert (await backend.reserve([new], rid(), 100, 0, NOW, 60)).ok


async def test_seeded_spend_counts(backend: LimitBackend) -> None:
    bucket = Bucket("key:s", "key 's'", budget_nano=100, window=7, window_end=NOW + 30)
    await backend.seed([("key:s", 7, 90, 30.0)])
    assert not (await backend.reserve([bucket], rid(), 20, 0, NOW, 60)).ok
    assert (await backend.reserve([bucket], rid(), 10, 0, NOW, 60)).ok


async def test_two_instances_share_one_budget(
    redis_pair: tuple[LimitBackend, LimitBackend],
) -> None:
    one, two = redis_pair
    bucket = Bucket("key:x", "key 'x'", budget_nano=1000)
    verdicts = await asyncio.gather(
        *((one if i % 2 else two).reserve([bucket], rid(), 100, 0, NOW, 60) for i in range(40))
    )
    assert sum(v.ok for v in verdicts) == 10


async def test_expiry_still_applies_after_early_settlements(backend: LimitBackend) -> None:
    """Settled holds leave nothing behind, and a hold that expires later than the ones
    settled before it still lapses on time (the in-process backend purges lazily)."""
    bucket = Bucket("key:e", "key 'e'", parallel=2)
    now = time.time()
    short = rid()
    assert (await backend.reserve([bucket], short, 0, 0, now, 0.1)).ok
    await backend.settle([bucket], short, 0, 0, 0, minute_of(now))
    assert (await backend.reserve([bucket], rid(), 0, 0, now, 0.5)).ok  # held until +0.5
    assert (await backend.reserve([bucket], rid(), 0, 0, now, 60)).ok
    assert (await backend.reserve([bucket], rid(), 0, 0, now + 0.2, 60)).reason == "parallel"
    assert (await backend.reserve([bucket], rid(), 0, 0, now + 0.6, 60)).ok  # +0.5 lapsed
