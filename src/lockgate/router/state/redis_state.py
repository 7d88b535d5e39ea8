"""Router state in Redis, shared by every gateway instance that points at the same server.

Operations go through one queue (:mod:`~lockgate.router.state.redis_ops`) that sends
whatever is waiting as one batched Lua script call (atomic, in order), one call at a time:

- ``begin``, ``end`` and ``start_cooldown`` are queued and not waited for;
  ``record_failure`` waits for its batch (it answers whether a cooldown started);
- a ``read`` goes in the same call as the writes queued before it, and requests reading the
  same group with the same needs while one such read is queued or in flight share it. Each
  adds this instance's own begins, ends and cooldowns since the read was queued
  (:mod:`~lockgate.router.state.local_view`), so within an instance the figures are exact;
  other instances' are as old as the shared read (one call at most);
- a group of one deployment with no figures asked for reads nothing: the router uses a
  group's only deployment whether or not it cools down, so the read could not change the
  choice (the snapshot shows this instance's own cooldowns).

Keys carry the prefix as a hash tag (``{lockgate:router}:cd:<id>``) so that a script's keys
live in one Redis Cluster slot, and every key has a TTL, so nothing outlives its use.

If Redis cannot be reached (or falls far behind), routing goes on without shared figures
(no cooldowns, zero usage) rather than failing requests; the problem is logged at most once
a minute.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Final

from redis.asyncio import Redis

from lockgate.limits.script_link import ScriptLink
from lockgate.router.state import redis_scripts
from lockgate.router.state.base import (
    IN_FLIGHT_TTL,
    USAGE_TTL,
    LatencyUpdate,
    Needs,
    Snapshot,
    current_minute,
)
from lockgate.router.state.local_view import LocalView, Mark, apply
from lockgate.router.state.redis_ops import MAX_PENDING, OpQueue

__all__ = ["DEFAULT_PREFIX", "RedisRouterState"]

DEFAULT_PREFIX: Final = "lockgate:router"
_LOG_EVERY: Final = 60.0
_log = logging.getLogger(__name__)

_ReadKey = tuple[tuple[str, ...], Needs]


class _SharedRead:
    """One queued read and the requests waiting for it."""

    __slots__ = ("key", "mark", "reads", "waiters")

    def __init__(self, reads: dict[_ReadKey, _SharedRead], key: _ReadKey, mark: Mark) -> None:
        self.reads = reads
        self.key = key
        self.mark = mark
        self.waiters: list[asyncio.Future[str | None]] = []

    def deliver(self, reply: str | None) -> None:
        # Requests reading from now on queue a new read (it will see later writes).
        if self.reads.get(self.key) is self:
            del self.reads[self.key]
        for waiter in self.waiters:
            if not waiter.done():
                waiter.set_result(reply)


def _resolve(future: asyncio.Future[str | None]) -> Callable[[str | None], None]:
    def resolve(reply: str | None) -> None:
        if not future.done():
            future.set_result(reply)

    return resolve


class RedisRouterState:
    """``RedisRouterState(redis_client, prefix=...)`` or ``RedisRouterState.from_url(url)``.

    A client passed in belongs to the caller; one made by :meth:`from_url` is closed by
    :meth:`aclose` (which first sends what is queued). Use one key prefix per set of
    gateways that share deployments.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        owns_client: bool = False,
        max_pending: int = MAX_PENDING,
    ) -> None:
        if not prefix or "{" in prefix or "}" in prefix:
            raise ValueError("the key prefix must be non-empty and contain no braces")
        self._redis = redis
        self._owns_client = owns_client
        # Its own connection, one call at a time (see lockgate.limits.script_link).
        self._link = ScriptLink(redis, redis_scripts.BATCH)
        self._queue = OpQueue(
            self._link,
            "{" + prefix + "}",
            (IN_FLIGHT_TTL, USAGE_TTL),
            self._batch_failed,
            max_pending=max_pending,
        )
        self._local = LocalView()
        self._reads: dict[_ReadKey, _SharedRead] = {}
        self._last_error_log = float("-inf")

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        password: str | None = None,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = 1.0,
    ) -> RedisRouterState:
        client: Redis = Redis.from_url(
            url, password=password, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        return cls(client, prefix=prefix, owns_client=True)

    @classmethod
    def from_host(
        cls,
        host: str,
        port: int = 6379,
        *,
        password: str | None = None,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = 1.0,
    ) -> RedisRouterState:
        client = Redis(
            host=host,
            port=port,
            password=password,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        return cls(client, prefix=prefix, owns_client=True)

    def _failed(self, what: str, reason: str) -> None:
        now = time.monotonic()
        if now - self._last_error_log >= _LOG_EVERY:
            self._last_error_log = now
            _log.warning(
                "router state: Redis %s failed, routing without shared state: %s", what, reason
            )

    def _batch_failed(self, reason: str) -> None:
        self._failed("call", reason)

    # ------------------------------------------------------------------ RouterState
    async def read(self, ids: tuple[str, ...], needs: Needs) -> Snapshot:
        if len(ids) == 1 and not (needs.in_flight or needs.usage or needs.latency):
            return Snapshot([self._local.cooldown_left(ids[0])])
        key = (ids, needs)
        shared = self._reads.get(key)
        if shared is None:
            shared = _SharedRead(self._reads, key, Mark(self._local.group(ids)))
            flags = f"{needs.in_flight:d}{needs.usage:d}{needs.latency:d}"
            if not self._queue.submit(f"R {flags}", ids, current_minute(), shared.deliver):
                self._failed("read", "queue full")
                return _empty(len(ids), needs)
            self._reads[key] = shared
        waiter: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        shared.waiters.append(waiter)
        reply = await waiter
        if reply is None:
            return _empty(len(ids), needs)
        try:
            snapshot = _parse(reply, len(ids), needs)
        except (ValueError, IndexError):  # a key holds what no gateway wrote
            self._failed("read", "unreadable reply")
            return _empty(len(ids), needs)
        return apply(snapshot, shared.mark, needs, self._local.clock())

    async def begin(self, deployment_id: str) -> None:
        self._local.record(deployment_id).started += 1
        if not self._queue.submit("B", (deployment_id,), current_minute()):
            self._failed("begin", "queue full")

    async def end(self, deployment_id: str, *, tokens: int, latency: LatencyUpdate | None) -> None:
        tokens = max(0, tokens)
        record = self._local.record(deployment_id)
        record.ended += 1
        record.tokens += tokens
        if latency is None:
            head = f"E {tokens} - 0 1"
        else:
            ttl_ms = max(1, int(latency.ttl * 1000))
            head = f"E {tokens} {latency.seconds!r} {latency.alpha!r} {ttl_ms}"
        if not self._queue.submit(head, (deployment_id,), current_minute()):
            self._failed("end", "queue full")

    async def record_failure(
        self, deployment_id: str, *, allowed_fails: int, window: float, cooldown: float
    ) -> bool:
        done: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        head = f"F {allowed_fails} {max(1, int(window * 1000))} {max(1, int(cooldown * 1000))}"
        if not self._queue.submit(head, (deployment_id,), current_minute(), _resolve(done)):
            self._failed("record_failure", "queue full")
            return False
        if await done != "1":
            return False
        self._local.cool(deployment_id, cooldown)
        return True

    async def start_cooldown(self, deployment_id: str, seconds: float) -> None:
        self._local.cool(deployment_id, seconds)
        head = f"C {max(1, int(seconds * 1000))}"
        if not self._queue.submit(head, (deployment_id,), current_minute()):
            self._failed("start_cooldown", "queue full")

    async def flush(self) -> None:
        """Waits until everything queued so far has been sent and answered (or failed)."""
        await self._queue.aclose()

    async def aclose(self) -> None:
        """Sends what is queued, then closes the client if this state made it."""
        try:
            await self._queue.aclose()
            await self._link.aclose()
        finally:
            if self._owns_client:
                await self._redis.aclose()


def _parse(reply: str, n: int, needs: Needs) -> Snapshot:
    values = reply.split(" ")
    width = 1 + needs.in_flight + 2 * needs.usage + needs.latency
    if len(values) != n * width:
        raise ValueError("wrong number of figures")
    snapshot = Snapshot([max(0.0, int(values[k * width]) / 1000.0) for k in range(n)])
    column = 1
    if needs.in_flight:
        snapshot.in_flight = [max(0, int(values[k * width + column])) for k in range(n)]
        column += 1
    if needs.usage:
        snapshot.rpm = [int(values[k * width + column]) for k in range(n)]
        snapshot.tpm = [int(values[k * width + column + 1]) for k in range(n)]
        column += 2
    if needs.latency:
        lat = [values[k * width + column] for k in range(n)]
        snapshot.latency = [None if v == "-" else float(v) for v in lat]
    return snapshot


def _empty(n: int, needs: Needs) -> Snapshot:
    return Snapshot(
        [0.0] * n,
        in_flight=[0] * n if needs.in_flight else None,
        rpm=[0] * n if needs.usage else None,
        tpm=[0] * n if needs.usage else None,
        latency=[None] * n if needs.latency else None,
    )
