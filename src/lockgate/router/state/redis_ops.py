"""The queue that sends the router state's operations to Redis in batched script calls.

A redis-py script call costs far more client CPU than the script it runs, so the
operations of all requests in flight share calls: one call is in flight at a time, and
whatever is submitted meanwhile goes, in submission order, into the next (the script runs
them in that order). With one request at a time that is one call per operation; under
load, one call carries many. The queue is bounded: past ``max_pending`` operations waiting
(Redis far behind or gone), new ones are refused and the caller goes on without them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

from lockgate.redis_drain import drain_batches
from lockgate.router.state.redis_scripts import KEYS_PER_SLOT

if TYPE_CHECKING:
    from lockgate.limits.script_link import ScriptCall

__all__ = ["MAX_BATCH", "MAX_PENDING", "OpQueue", "Reply"]

MAX_BATCH: Final = 256  # operations per script call, so one call never holds Redis for long
MAX_PENDING: Final = 8192  # operations waiting, beyond which new ones are refused
_KEY_CACHE: Final = 4096  # (deployment, minute) slots whose encoded key names are kept

# Told the operation's reply, or None when its call failed (or never ran). Runs in the
# queue's task: it must not raise.
Reply = Callable[[str | None], None]
OnError = Callable[[str], None]  # told why a call or an operation failed


class _Batch:
    __slots__ = ("keys", "ops", "replies", "slots")

    def __init__(self) -> None:
        self.slots: dict[tuple[str, int], int] = {}
        self.keys: list[bytes] = []
        self.ops: list[str] = []
        self.replies: list[Reply | None] = []


class OpQueue:
    """``OpQueue(script, tag, on_error)``: ``submit`` queues one operation of the format of
    :data:`~lockgate.router.state.redis_scripts.BATCH`; ``on_error`` hears of failed calls."""

    def __init__(
        self,
        script: ScriptCall,
        tag: str,
        ttls: tuple[int, int],
        on_error: OnError,
        *,
        max_batch: int = MAX_BATCH,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._script = script
        self._tag = tag
        self._ttls = (str(ttls[0]).encode(), str(ttls[1]).encode())
        self._on_error = on_error
        self._max_batch = max_batch
        self._max_pending = max_pending
        self._queue: deque[_Batch] = deque()
        self._pending = 0
        self._task: asyncio.Task[None] | None = None
        # The same few deployments recur in every call: encode their key names once.
        self._names: dict[tuple[str, int], tuple[bytes, ...]] = {}

    def submit(
        self, head: str, ids: tuple[str, ...], minute: int, reply: Reply | None = None
    ) -> bool:
        """Queue ``head`` followed by the slots of ``ids`` (usage keys of ``minute``).
        False, and nothing queued, when the queue is full."""
        if self._pending >= self._max_pending:
            return False
        queue = self._queue
        batch = queue[-1] if queue and len(queue[-1].ops) < self._max_batch else None
        if batch is None:
            batch = _Batch()
            queue.append(batch)
        slots = batch.slots
        line = head
        for deployment_id in ids:
            slot = slots.get((deployment_id, minute))
            if slot is None:
                slot = slots[deployment_id, minute] = len(slots) + 1
                names = self._names.get((deployment_id, minute))
                batch.keys += names or self._slot_keys(deployment_id, minute)
            line = f"{line} {slot}"
        batch.ops.append(line)
        batch.replies.append(reply)
        self._pending += 1
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._drain())
        return True

    def _slot_keys(self, deployment_id: str, minute: int) -> tuple[bytes, ...]:
        tag = self._tag
        names = tuple(
            name.encode()
            for name in (
                f"{tag}:cd:{deployment_id}",
                f"{tag}:if:{deployment_id}",
                f"{tag}:rpm:{deployment_id}:{minute}",
                f"{tag}:tpm:{deployment_id}:{minute}",
                f"{tag}:lat:{deployment_id}",
                f"{tag}:fail:{deployment_id}",
            )
        )
        assert len(names) == KEYS_PER_SLOT
        if len(self._names) >= _KEY_CACHE:
            self._names.clear()
        self._names[deployment_id, minute] = names
        return names

    async def _drain(self) -> None:
        try:
            await drain_batches(self._queue, self._send, self._deliver, self._failed, _abandon)
        except BaseException:
            self._pending = 0
            raise
        finally:
            self._task = None

    def _send(self, batch: _Batch) -> Awaitable[bytes | str]:
        self._pending -= len(batch.ops)
        args = ["\n".join(batch.ops).encode(), *self._ttls]
        return self._script(keys=batch.keys, args=args)

    def _deliver(self, batch: _Batch, replies: bytes | str) -> None:
        _deliver(batch, replies, self._on_error)

    def _failed(self, batch: _Batch, reason: str) -> None:
        self._on_error(reason)
        _fail(batch)

    async def aclose(self) -> None:
        """Waits until everything submitted has been sent (and answered or failed)."""
        task = self._task
        if task is not None:
            await asyncio.wait([task])


def _deliver(batch: _Batch, replies: bytes | str, on_error: OnError) -> None:
    # str when the client was made with decode_responses=True
    lines = (replies.decode() if isinstance(replies, bytes) else replies).split("\n")
    for reply, line in zip(batch.replies, lines, strict=True):
        if line.startswith("E "):
            on_error(line[2:])
            if reply is not None:
                reply(None)
        elif reply is not None:
            reply(line)


def _abandon(batch: _Batch, reason: str) -> None:
    _fail(batch)


def _fail(batch: _Batch) -> None:
    for reply in batch.replies:
        if reply is not None:
            reply(None)
