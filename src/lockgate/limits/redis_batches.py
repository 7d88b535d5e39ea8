"""Coalescing of limit operations into batched script calls (one Redis round trip each).

A Redis command through redis-py costs far more client CPU than the script it runs, so
the reservations and settlements of all requests in flight share calls: one call is in
flight at a time, and whatever is submitted meanwhile goes, in submission order, into the
next. With one request at a time that is one call per operation, as without batching;
under load, one call carries many. Batches are capped so one script never holds Redis for
long.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Final

from lockgate.errors import ServiceUnavailableError
from lockgate.redis_drain import drain_batches

if TYPE_CHECKING:
    from lockgate.limits.script_link import ScriptCall

__all__ = ["MAX_BATCH", "Batcher"]

MAX_BATCH: Final = 128  # operations per script call
_KEY_CACHE: Final = 4096  # key groups whose encoded names are kept (then all are dropped)
Orphan = Callable[[str], None]  # told the reply of an operation whose caller went away


class _Batch:
    __slots__ = ("groups", "keys", "ops", "waiters")

    def __init__(self) -> None:
        self.groups: dict[tuple[str, int, int], int] = {}
        self.keys: list[bytes] = []
        self.ops: list[bytes] = []
        self.waiters: list[tuple[asyncio.Future[str], Orphan | None]] = []


class Batcher:
    """``Batcher(script, tag)``: ``submit`` queues one operation of ``script``'s format
    (see :mod:`lockgate.limits.redis_scripts`) and returns the future of its reply."""

    def __init__(self, script: ScriptCall, tag: str, max_batch: int = MAX_BATCH) -> None:
        self._script = script
        self._tag = tag
        self._max = max_batch
        self._queue: deque[_Batch] = deque()
        self._task: asyncio.Task[None] | None = None
        # The same few groups recur in every batch: encode their key names once.
        self._names: dict[tuple[str, int, int], tuple[bytes, ...]] = {}

    def submit(
        self,
        head: str,
        groups: Sequence[tuple[str, int, int]],
        tails: Sequence[str],
        orphan: Orphan | None = None,
    ) -> asyncio.Future[str]:
        """The operation is ``head`` then, per bucket, its key group's index and its tail.
        A group is (scope, budget window, minute). ``orphan`` receives the reply if the
        future was cancelled before it came."""
        queue = self._queue
        batch = queue[-1] if queue and len(queue[-1].ops) < self._max else None
        if batch is None:
            batch = _Batch()
            queue.append(batch)
        parts = [head]
        for group, tail in zip(groups, tails, strict=True):
            index = batch.groups.get(group)
            if index is None:
                index = batch.groups[group] = len(batch.groups) + 1
                names = self._names.get(group)
                if names is None:
                    names = self._group_keys(*group)
                batch.keys += names
            parts.append(f"{index} {tail}")
        batch.ops.append(" ".join(parts).encode())
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        batch.waiters.append((future, orphan))
        if self._task is None:
            self._task = loop.create_task(self._drain())
        return future

    def _group_keys(self, scope: str, window: int, minute: int) -> tuple[bytes, ...]:
        tag = self._tag
        names = tuple(
            name.encode()
            for name in (
                f"{tag}:sp:{scope}:{window}",
                f"{tag}:rs:{scope}",
                f"{tag}:rt:{scope}",
                f"{tag}:mn:{scope}:{minute}",
            )
        )
        if len(self._names) >= _KEY_CACHE:
            self._names.clear()
        self._names[scope, window, minute] = names
        return names

    async def _drain(self) -> None:
        try:
            await drain_batches(self._queue, self._send, _deliver, _fail, _fail)
        finally:
            self._task = None

    def _send(self, batch: _Batch) -> Awaitable[bytes | str]:
        return self._script(keys=batch.keys, args=[b"\n".join(batch.ops)])

    async def aclose(self) -> None:
        """Waits until everything submitted has run (its callers have the outcome)."""
        task = self._task
        if task is not None:
            await asyncio.wait([task])


def _deliver(batch: _Batch, replies: bytes | str) -> None:
    # str when the client was made with decode_responses=True
    lines = (replies.decode() if isinstance(replies, bytes) else replies).split("\n")
    for (future, orphan), reply in zip(batch.waiters, lines, strict=True):
        if reply.startswith("E "):
            if not future.done():
                future.set_exception(_unavailable(reply[2:]))
        elif not future.done():
            future.set_result(reply)
        elif orphan is not None and future.cancelled():
            orphan(reply)


def _fail(batch: _Batch, reason: str) -> None:
    for future, _ in batch.waiters:
        if not future.done():
            future.set_exception(_unavailable(reason))


def _unavailable(reason: str) -> ServiceUnavailableError:
    return ServiceUnavailableError(f"the limits store (Redis) is unavailable: {reason}")
