"""Limits and budgets counted in Redis: atomic across every instance sharing the server.

See :mod:`lockgate.limits.redis_scripts` for the keys and how unsettled reservations
expire. Spent counters of windowed budgets expire a minute after their window ends;
lifetime budgets keep theirs (one small key per budget) and are re-seeded from the store.
If Redis cannot be reached, requests fail with 503 rather than run without limits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from lockgate.errors import ServiceUnavailableError
from lockgate.limits import redis_scripts
from lockgate.limits.buckets import Bucket, Verdict
from lockgate.limits.windows import minute_of

if TYPE_CHECKING:
    from redis.commands.core import AsyncScript

__all__ = ["RedisLimitBackend"]


def _limit(value: int | None) -> int:
    return -1 if value is None else value


def _spent_ttl(window_left: float) -> int:
    return -1 if math.isinf(window_left) else int(window_left) + 60


class RedisLimitBackend:
    """``RedisLimitBackend(client, prefix)``; the client belongs to the caller."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        if not prefix or "{" in prefix or "}" in prefix:
            raise ValueError("the key prefix must be non-empty and contain no braces")
        self._tag = "{" + prefix + ":limits}"
        self._reserve: AsyncScript = redis.register_script(redis_scripts.RESERVE)
        self._settle: AsyncScript = redis.register_script(redis_scripts.SETTLE)
        self._seed: AsyncScript = redis.register_script(redis_scripts.SEED)

    def _keys(self, bucket: Bucket, minute: int) -> list[str]:
        base = f"{self._tag}:"
        return [
            f"{base}sp:{bucket.scope}:{bucket.window}",
            f"{base}rs:{bucket.scope}",
            f"{base}rt:{bucket.scope}",
            f"{base}mn:{bucket.scope}:{minute}",
        ]

    async def _run(self, script: AsyncScript, keys: list[str], args: list[Any]) -> Any:
        try:
            return await script(keys=keys, args=args)
        except (RedisError, OSError) as error:
            raise ServiceUnavailableError(
                f"the limits store (Redis) is unavailable: {type(error).__name__}"
            ) from None

    async def reserve(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        cost_nano: int,
        tokens: int,
        now: float,
        hold_seconds: float,
    ) -> Verdict:
        minute = minute_of(now)
        keys: list[str] = []
        args: list[Any] = [
            len(buckets),
            int(now * 1000),
            int(hold_seconds * 1000),
            cost_nano,
            tokens,
            f"{reservation_id}|{cost_nano}",
        ]
        for bucket in buckets:
            keys += self._keys(bucket, minute)
            args += [
                _limit(bucket.budget_nano),
                _limit(bucket.rpm),
                _limit(bucket.tpm),
                _limit(bucket.parallel),
                _spent_ttl(bucket.window_left),
            ]
        result = await self._run(self._reserve, keys, args)
        if int(result[0]) == 1:
            n = len(buckets)
            return Verdict(
                True,
                requests=tuple(int(v) for v in result[1 : n + 1]),
                tokens=tuple(int(v) for v in result[n + 1 : 2 * n + 1]),
            )
        reason = result[2].decode() if isinstance(result[2], bytes) else str(result[2])
        return Verdict(
            False,
            int(result[1]) - 1,
            reason,
            spent_nano=int(result[3]),
            reserved_nano=int(result[4]),
        )

    async def settle(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        reserved_nano: int,
        actual_nano: int,
        token_delta: int,
        minute: int,
    ) -> None:
        keys: list[str] = []
        args: list[Any] = [
            len(buckets),
            f"{reservation_id}|{reserved_nano}",
            reserved_nano,
            actual_nano,
            token_delta,
        ]
        for bucket in buckets:
            keys += self._keys(bucket, minute)
        args += [_spent_ttl(b.window_left) for b in buckets]
        await self._run(self._settle, keys, args)

    async def seed(self, windows: Sequence[tuple[str, int, int, float]]) -> None:
        for start in range(0, len(windows), 500):
            chunk = windows[start : start + 500]
            keys = [f"{self._tag}:sp:{scope}:{window}" for scope, window, _, _ in chunk]
            args: list[Any] = []
            for _, _, nano, left in chunk:
                args += [nano, _spent_ttl(left)]
            await self._run(self._seed, keys, args)

    async def aclose(self) -> None:
        return None
