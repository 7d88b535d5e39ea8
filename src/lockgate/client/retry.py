"""Retries with exponential backoff and full jitter, honouring the provider's retry hints."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from lockgate.errors import LockgateError

__all__ = ["RetryPolicy", "call_with_retries"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    num_retries: int = 0
    base_delay: float = 0.5
    max_delay: float = 8.0
    # A provider asking for a longer wait than this is not retried: the caller gets the 429.
    max_retry_after: float = 60.0

    def delay_for(self, attempt: int, error: LockgateError, rng: random.Random) -> float | None:
        """Seconds to wait before retry number ``attempt`` (1-based), or None: do not retry."""
        if attempt > self.num_retries or not error.retryable:
            return None
        if error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            return error.retry_after
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return rng.uniform(0.0, ceiling)


async def call_with_retries(
    attempt_once: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run ``attempt_once`` until it succeeds, the error is final, or retries run out."""
    attempt = 0
    while True:
        try:
            return await attempt_once()
        except LockgateError as error:
            attempt += 1
            if rng is None:  # made only when a retry is considered: seeding costs ~10 µs
                rng = random.Random()
            delay = policy.delay_for(attempt, error, rng)
            if delay is None:
                raise
            await sleep(delay)
