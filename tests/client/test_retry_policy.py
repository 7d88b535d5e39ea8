"""Backoff: exponential with full jitter, retry-after honoured, final errors not retried."""

from __future__ import annotations

import random

import pytest

from lockgate.client.retry import RetryPolicy, call_with_retries
from lockgate.errors import AuthenticationError, InternalServerError, RateLimitError


def test_exponential_ceiling_with_jitter() -> None:
    policy = RetryPolicy(num_retries=5, base_delay=0.5, max_delay=3.0)
    rng = random.Random(7)
    error = InternalServerError("boom")
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (5, 3.0)]:
        delays = [policy.delay_for(attempt, error, rng) for _ in range(200)]
        assert all(d is not None and 0.0 <= d <= ceiling for d in delays)
        assert max(d for d in delays if d is not None) > ceiling * 0.8  # jitter spans the range
    assert policy.delay_for(6, error, rng) is None


def test_retry_after_is_used_and_capped() -> None:
    policy = RetryPolicy(num_retries=2, max_retry_after=10)
    rng = random.Random(0)
    assert policy.delay_for(1, RateLimitError("x", retry_after=4.0), rng) == 4.0
    assert policy.delay_for(1, RateLimitError("x", retry_after=30.0), rng) is None


def test_non_retryable_errors_are_final() -> None:
    assert (
        RetryPolicy(num_retries=3).delay_for(1, AuthenticationError("no"), random.Random()) is None
    )


async def test_call_with_retries_sleeps_then_succeeds() -> None:
    outcomes: list[Exception | str] = [
        RateLimitError("a", retry_after=0.25),
        InternalServerError("b"),
        "ok",
    ]
    slept: list[float] = []

    async def attempt() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    result = await call_with_retries(
        attempt, RetryPolicy(num_retries=2, base_delay=1.0), rng=random.Random(1), sleep=fake_sleep
    )
    assert result == "ok"
    assert slept[0] == 0.25 and 0 <= slept[1] <= 2.0


async def test_call_with_retries_gives_up() -> None:
    calls = 0

    async def attempt() -> str:
        nonlocal calls
        calls += 1
        raise InternalServerError("down")

    async def no_sleep(_: float) -> None:
        return None

    with pytest.raises(InternalServerError):
        await call_with_retries(attempt, RetryPolicy(num_retries=2), sleep=no_sleep)
    assert calls == 3
