"""Limits and budgets counted in Redis: atomic across every instance sharing the server.

See :mod:`lockgate.limits.redis_scripts` for the keys and how unsettled reservations
expire, and :mod:`lockgate.limits.redis_batches` for how concurrent requests share script
calls. Spent counters of windowed budgets expire a minute after their window ends;
lifetime budgets keep theirs (one small key per budget) and are re-seeded from the store.
If Redis cannot be reached, requests fail with 503 rather than run without limits.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from lockgate.errors import ServiceUnavailableError
from lockgate.limits import redis_scripts
from lockgate.limits.buckets import Bucket, Verdict
from lockgate.limits.redis_batches import Batcher
from lockgate.limits.script_link import ScriptLink
from lockgate.limits.windows import minute_of

if TYPE_CHECKING:
    from redis.commands.core import AsyncScript

__all__ = ["RedisLimitBackend"]

_log = logging.getLogger(__name__)


def _limit(value: int | None) -> int:
    return -1 if value is None else value


def _spent_ttl(window_left: float) -> int:
    return -1 if math.isinf(window_left) else int(window_left) + 60


def _verdict(reply: str, buckets: int) -> Verdict:
    fields = reply.split()
    if fields[0] == "1":
        return Verdict(
            True,
            requests=tuple(int(v) for v in fields[1 : buckets + 1]),
            tokens=tuple(int(v) for v in fields[buckets + 1 :]),
        )
    return Verdict(
        False,
        int(fields[1]) - 1,
        fields[2],
        spent_nano=int(fields[3]),
        reserved_nano=int(fields[4]),
    )


def _check_id(reservation_id: str) -> None:
    # Operations are space-separated fields, one a line.
    if reservation_id.split() != [reservation_id]:
        raise ValueError(f"a reservation id must be one word: {reservation_id!r}")


def _log_failure(done: asyncio.Future[str]) -> None:
    if not done.cancelled() and done.exception() is not None:
        _log.warning("releasing an abandoned reservation failed: %s", done.exception())


class RedisLimitBackend:
    """``RedisLimitBackend(client, prefix)``; the client belongs to the caller."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        if not prefix or "{" in prefix or "}" in prefix:
            raise ValueError("the key prefix must be non-empty and contain no braces")
        self._tag = "{" + prefix + ":limits}"
        self._link = ScriptLink(redis, redis_scripts.BATCH)
        self._batcher = Batcher(self._link, self._tag)
        self._seed: AsyncScript = redis.register_script(redis_scripts.SEED)

    async def reserve(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        cost_nano: int,
        tokens: int,
        now: float,
        hold_seconds: float,
    ) -> Verdict:
        _check_id(reservation_id)
        minute = minute_of(now)

        def release(reply: str) -> None:  # the caller was cancelled while waiting
            if _verdict(reply, len(buckets)).ok:
                done = self._submit_settle(buckets, reservation_id, cost_nano, 0, 0, minute)
                done.add_done_callback(_log_failure)

        reply = await self._batcher.submit(
            f"R {int(now * 1000)} {int(hold_seconds * 1000)} {cost_nano} {tokens} {reservation_id}",
            [(b.scope, b.window, minute) for b in buckets],
            [
                f"{_limit(b.budget_nano)} {_limit(b.rpm)} {_limit(b.tpm)} {_limit(b.parallel)}"
                for b in buckets
            ],
            release,
        )
        return _verdict(reply, len(buckets))

    async def settle(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        reserved_nano: int,
        actual_nano: int,
        token_delta: int,
        minute: int,
    ) -> None:
        _check_id(reservation_id)
        await self._submit_settle(
            buckets, reservation_id, reserved_nano, actual_nano, token_delta, minute
        )

    def _submit_settle(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        reserved_nano: int,
        actual_nano: int,
        token_delta: int,
        minute: int,
    ) -> asyncio.Future[str]:
        # Settled even if the caller is cancelled meanwhile: no orphan handling needed.
        return self._batcher.submit(
            f"S {reservation_id} {reserved_nano} {actual_nano} {token_delta}",
            [(b.scope, b.window, minute) for b in buckets],
            # From the start of the reserving minute: never shorter than the window's rest.
            [str(_spent_ttl(b.window_end - minute * 60)) for b in buckets],
        )

    async def seed(self, windows: Sequence[tuple[str, int, int, float]]) -> None:
        for start in range(0, len(windows), 500):
            chunk = windows[start : start + 500]
            keys = [f"{self._tag}:sp:{scope}:{window}" for scope, window, _, _ in chunk]
            args: list[Any] = []
            for _, _, nano, left in chunk:
                args += [nano, _spent_ttl(left)]
            try:
                await self._seed(keys=keys, args=args)
            except (RedisError, OSError) as error:
                raise ServiceUnavailableError(
                    f"the limits store (Redis) is unavailable: {type(error).__name__}"
                ) from None

    async def aclose(self) -> None:
        try:
            await self._batcher.aclose()
        finally:
            await self._link.aclose()
