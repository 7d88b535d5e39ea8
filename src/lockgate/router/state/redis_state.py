"""Router state in Redis, shared by every gateway instance that points at the same server.

Each operation is one Lua script (one round trip, atomic). Keys carry the prefix as a hash
tag (``{lockgate:router}:cd:<id>``) so that a script's keys live in one Redis Cluster slot,
and every key has a TTL, so nothing outlives its use.

If Redis cannot be reached, routing goes on without shared figures (no cooldowns, zero
usage) rather than failing requests; the problem is logged at most once a minute.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from lockgate.router.state import redis_scripts
from lockgate.router.state.base import (
    IN_FLIGHT_TTL,
    USAGE_TTL,
    LatencyUpdate,
    Needs,
    Snapshot,
    current_minute,
)

if TYPE_CHECKING:
    from redis.commands.core import AsyncScript

__all__ = ["DEFAULT_PREFIX", "RedisRouterState"]

DEFAULT_PREFIX: Final = "lockgate:router"
_LOG_EVERY: Final = 60.0
_log = logging.getLogger(__name__)


def _int(raw: Any) -> int:
    return int(raw) if raw is not None else 0


class RedisRouterState:
    """``RedisRouterState(redis_client, prefix=...)`` or ``RedisRouterState.from_url(url)``.

    A client passed in belongs to the caller; one made by :meth:`from_url` is closed by
    :meth:`aclose`. Use one key prefix per set of gateways that share deployments.
    """

    def __init__(
        self, redis: Redis, *, prefix: str = DEFAULT_PREFIX, owns_client: bool = False
    ) -> None:
        if not prefix or "{" in prefix or "}" in prefix:
            raise ValueError("the key prefix must be non-empty and contain no braces")
        self._redis = redis
        self._owns_client = owns_client
        self._tag = "{" + prefix + "}"
        self._read: AsyncScript = redis.register_script(redis_scripts.READ)
        self._begin: AsyncScript = redis.register_script(redis_scripts.BEGIN)
        self._end: AsyncScript = redis.register_script(redis_scripts.END)
        self._failure: AsyncScript = redis.register_script(redis_scripts.FAILURE)
        self._cooldown: AsyncScript = redis.register_script(redis_scripts.COOLDOWN)
        # Keys of each group read, rebuilt when the minute changes.
        self._group_keys: dict[tuple[str, ...], tuple[int, list[str]]] = {}
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

    # ------------------------------------------------------------------ keys
    def _key(self, kind: str, deployment_id: str) -> str:
        return f"{self._tag}:{kind}:{deployment_id}"

    def _minute_key(self, kind: str, deployment_id: str, minute: int) -> str:
        return f"{self._tag}:{kind}:{deployment_id}:{minute}"

    def _keys_for(self, ids: tuple[str, ...]) -> list[str]:
        minute = current_minute()
        cached = self._group_keys.get(ids)
        if cached is not None and cached[0] == minute:
            return cached[1]
        keys: list[str] = []
        for i in ids:
            keys += (
                self._key("cd", i),
                self._key("if", i),
                self._minute_key("rpm", i, minute),
                self._minute_key("tpm", i, minute),
                self._key("lat", i),
            )
        self._group_keys[ids] = (minute, keys)
        return keys

    def _failed(self, what: str, error: RedisError) -> None:
        now = time.monotonic()
        if now - self._last_error_log >= _LOG_EVERY:
            self._last_error_log = now
            _log.warning(
                "router state: Redis %s failed, routing without shared state: %s",
                what,
                type(error).__name__,
            )

    # ------------------------------------------------------------------ RouterState
    async def read(self, ids: tuple[str, ...], needs: Needs) -> Snapshot:
        flags = (
            "1" if needs.in_flight else "0",
            "1" if needs.usage else "0",
            "1" if needs.latency else "0",
        )
        try:
            raw = await self._read(keys=self._keys_for(ids), args=(len(ids), *flags))
        except RedisError as error:
            self._failed("read", error)
            return _empty(len(ids), needs)
        n = len(ids)
        snapshot = Snapshot([max(0.0, int(raw[k * 5]) / 1000.0) for k in range(n)])
        if needs.in_flight:
            snapshot.in_flight = [max(0, _int(raw[k * 5 + 1])) for k in range(n)]
        if needs.usage:
            snapshot.rpm = [_int(raw[k * 5 + 2]) for k in range(n)]
            snapshot.tpm = [_int(raw[k * 5 + 3]) for k in range(n)]
        if needs.latency:
            snapshot.latency = [
                float(raw[k * 5 + 4]) if raw[k * 5 + 4] is not None else None for k in range(n)
            ]
        return snapshot

    async def begin(self, deployment_id: str) -> None:
        keys = (
            self._key("if", deployment_id),
            self._minute_key("rpm", deployment_id, current_minute()),
        )
        try:
            await self._begin(keys=keys, args=(IN_FLIGHT_TTL, USAGE_TTL))
        except RedisError as error:
            self._failed("begin", error)

    async def end(self, deployment_id: str, *, tokens: int, latency: LatencyUpdate | None) -> None:
        keys = (
            self._key("if", deployment_id),
            self._minute_key("tpm", deployment_id, current_minute()),
            self._key("lat", deployment_id),
        )
        args = (
            max(0, tokens),
            "" if latency is None else repr(latency.seconds),
            0.0 if latency is None else latency.alpha,
            1 if latency is None else max(1, int(latency.ttl * 1000)),
            IN_FLIGHT_TTL,
            USAGE_TTL,
        )
        try:
            await self._end(keys=keys, args=args)
        except RedisError as error:
            self._failed("end", error)

    async def record_failure(
        self, deployment_id: str, *, allowed_fails: int, window: float, cooldown: float
    ) -> bool:
        keys = (self._key("fail", deployment_id), self._key("cd", deployment_id))
        args = (allowed_fails, max(1, int(window * 1000)), max(1, int(cooldown * 1000)))
        try:
            return bool(await self._failure(keys=keys, args=args))
        except RedisError as error:
            self._failed("record_failure", error)
            return False

    async def start_cooldown(self, deployment_id: str, seconds: float) -> None:
        try:
            await self._cooldown(
                keys=(self._key("cd", deployment_id),), args=(max(1, int(seconds * 1000)),)
            )
        except RedisError as error:
            self._failed("start_cooldown", error)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._redis.aclose()


def _empty(n: int, needs: Needs) -> Snapshot:
    return Snapshot(
        [0.0] * n,
        in_flight=[0] * n if needs.in_flight else None,
        rpm=[0] * n if needs.usage else None,
        tpm=[0] * n if needs.usage else None,
        latency=[None] * n if needs.latency else None,
    )
