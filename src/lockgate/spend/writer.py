"""The spend batch writer: requests append records in memory (no I/O on the hot path); a
background task writes them every ``interval`` seconds or every ``batch_size`` records, and
``aclose`` writes what is left (the gateway's shutdown path, SIGTERM included).

A batch that fails to write is kept and retried (after ``interval``, not on every new
record); past ``max_pending`` records (a database down for long) the oldest are dropped and
counted, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from lockgate.spend.record import SpendRecord
from lockgate.spend.sink import SpendSink, sink_for
from lockgate.spend.sums import BatchSums
from lockgate.store import Store

__all__ = ["SpendWriter"]

_log = logging.getLogger(__name__)

# Records turned into parameters between two yields to the event loop (about 3 µs each).
_SLICE = 64


class SpendWriter:
    def __init__(
        self,
        store: Store,
        *,
        interval: float = 1.0,
        batch_size: int = 500,
        max_pending: int = 200_000,
        housekeeping: Callable[[], Awaitable[None]] | None = None,
        housekeeping_every: float = 3600.0,
        sink: SpendSink | None = None,
    ) -> None:
        self._sink = sink if sink is not None else sink_for(store)
        self._interval = interval
        self._batch_size = batch_size
        self._max_pending = max(max_pending, batch_size)
        self._pending: deque[SpendRecord] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._task_flushing = False
        self._flush_lock = asyncio.Lock()
        self._housekeeping = housekeeping
        self._housekeeping_every = housekeeping_every
        self.dropped = 0
        self.written = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def record(self, record: SpendRecord) -> None:
        """The hot path: one append (and a comparison)."""
        pending = self._pending
        pending.append(record)
        if len(pending) >= self._batch_size:
            self._wake.set()
            if len(pending) > self._max_pending:
                pending.popleft()
                self.dropped += 1

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        wake = self._wake
        next_housekeeping = time.monotonic()
        while True:
            # A timer that sets the event: a third of what wait_for costs each interval.
            timer = loop.call_later(self._interval, wake.set)
            try:
                await wake.wait()
            finally:
                timer.cancel()
            wake.clear()
            self._task_flushing = True
            try:
                written = await self._flush(only_pending=True)
            finally:
                self._task_flushing = False
            if self._stopping:
                return
            if self._housekeeping is not None and time.monotonic() >= next_housekeeping:
                next_housekeeping = time.monotonic() + self._housekeeping_every
                try:
                    await self._housekeeping()
                except Exception as error:  # never stop the writer
                    _log.warning("spend housekeeping failed: %s", type(error).__name__)
            if not written:  # the database is failing: retry after a pause, not per record
                await asyncio.sleep(self._interval)

    async def flush(self) -> None:
        await self._flush()

    async def _flush(self, *, only_pending: bool = False) -> bool:
        """Write everything pending; False if a batch failed (it is pending again).

        With ``only_pending`` (the writer's own task), only the records pending when it
        starts, and of those only whole batches if there is at least one: the rest wait
        for the next wake (a full batch or the interval). Otherwise steady traffic kept
        the task writing, each write taking the few records that came during the one
        before: at one connection on PostgreSQL that was a batch of about 4 records per
        transaction, and about a quarter of the gateway's CPU. (Under load, records also
        arrive between the wake and the task's turn: about 20 a batch at 3,000 requests/s,
        written as a small batch of their own before whole batches were kept to.)"""
        async with self._flush_lock:
            pending = self._pending
            left = self._task_share(len(pending)) if only_pending else None  # None: all
            while pending and left != 0:
                size = self._batch_size if left is None else min(left, self._batch_size)
                if len(pending) <= size:
                    batch = list(pending)
                    pending.clear()
                else:
                    batch = [pending.popleft() for _ in range(size)]
                try:
                    await self._write(batch)
                except Exception as error:
                    pending.extendleft(reversed(batch))
                    _log.warning("spend batch not written (%s); will retry", type(error).__name__)
                    return False
                self.written += len(batch)
                if left is not None:
                    left -= len(batch)
            return True

    def _task_share(self, pending: int) -> int:
        """Of `pending` records, how many the task writes: whole batches if there is one."""
        return pending if pending < self._batch_size else pending - pending % self._batch_size

    async def _write(self, batch: list[SpendRecord]) -> None:
        log_rows: list[Any] = []
        sums = BatchSums()
        for start in range(0, len(batch), _SLICE):
            if start:
                await asyncio.sleep(0)  # requests run between slices
            part = batch[start : start + _SLICE]
            log_rows += self._sink.log_rows(part)
            sums.add(part)
        await self._sink.write(log_rows, sums)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True
            # Mid-batch, the task finishes the batch and returns: cancelled there, a batch
            # could be written and yet still be pending (or the reverse).
            if not self._task_flushing:
                task.cancel()  # waiting, or in housekeeping
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.flush()
        await self._sink.aclose()
