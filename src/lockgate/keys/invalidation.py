"""Several instances: a change made on one (a key blocked, a team's budget raised) is
published on a Redis channel; every other instance reloads that entity from the store.

After a lost connection the listener reconnects and reloads everything, since messages
published meanwhile are gone.

At start the listener subscribes *before* the instance reads the store, and holds what
arrives until `open()` (called once the store is read): a change made elsewhere while the
store was being read is then applied after the read, not lost and not overwritten by it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

import orjson

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["Invalidator"]

_log = logging.getLogger(__name__)
_KINDS: Final = frozenset({"key", "team", "user", "org", "end_user", "budget", "model", "all"})

Refresh = Callable[[str, str], Awaitable[None]]


class Invalidator:
    def __init__(
        self, redis: Redis | None, channel: str, instance_id: str, refresh: Refresh
    ) -> None:
        self._redis = redis
        self._channel = channel
        self._instance = instance_id
        self._refresh = refresh
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._open = asyncio.Event()

    async def start(self) -> None:
        """Subscribe (waiting up to 5 s for it); messages wait until `open()`."""
        if self._redis is None or self._task is not None:
            return
        self._task = asyncio.get_running_loop().create_task(self._listen())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), 5.0)

    def open(self) -> None:
        """The store has been read: apply the changes held since `start()`, then each as it
        comes."""
        self._open.set()

    async def publish(self, kind: str, ident: str) -> None:
        if self._redis is None:
            return
        from redis.exceptions import RedisError

        message = orjson.dumps({"kind": kind, "id": ident, "from": self._instance})
        try:
            await self._redis.publish(self._channel, message)
        except (RedisError, OSError) as error:
            _log.warning("invalidation not published: %s", type(error).__name__)

    async def _listen(self) -> None:
        assert self._redis is not None
        first = True
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                self._ready.set()
                await self._open.wait()  # until then, messages queue on the connection
                if not first:
                    await self._refresh("all", "")
                first = False
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        await self._handle(message.get("data"))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # reconnect after a pause, whatever went wrong
                _log.warning("invalidation listener: %s; reconnecting", type(error).__name__)
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _handle(self, data: object) -> None:
        if not isinstance(data, bytes | str):
            return
        try:
            message = orjson.loads(data)
        except orjson.JSONDecodeError:
            return
        if not isinstance(message, dict) or message.get("from") == self._instance:
            return
        kind, ident = message.get("kind"), message.get("id")
        if kind in _KINDS and isinstance(ident, str):
            await self._refresh(kind, ident)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
