"""The spend batch writer: requests append records in memory (no I/O on the hot path); a
background task writes them every ``interval`` seconds or every ``batch_size`` records, and
``aclose`` writes what is left (the gateway's shutdown path, SIGTERM included).

A batch that fails to write is kept and retried; past ``max_pending`` records (a database
down for long) the oldest are dropped and counted, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from lockgate.spend.batch_sql import write_batch
from lockgate.spend.record import SpendRecord
from lockgate.store import Store

__all__ = ["SpendWriter"]

_log = logging.getLogger(__name__)


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
    ) -> None:
        self._store = store
        self._interval = interval
        self._batch_size = batch_size
        self._max_pending = max_pending
        self._pending: deque[SpendRecord] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()
        self._housekeeping = housekeeping
        self._housekeeping_every = housekeeping_every
        self.dropped = 0
        self.written = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def record(self, record: SpendRecord) -> None:
        if len(self._pending) >= self._max_pending:
            self._pending.popleft()
            self.dropped += 1
        self._pending.append(record)
        if len(self._pending) >= self._batch_size:
            self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        next_housekeeping = time.monotonic()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            await self.flush()
            if self._housekeeping is not None and time.monotonic() >= next_housekeeping:
                next_housekeeping = time.monotonic() + self._housekeeping_every
                try:
                    await self._housekeeping()
                except Exception as error:  # never stop the writer
                    _log.warning("spend housekeeping failed: %s", type(error).__name__)

    async def flush(self) -> None:
        async with self._flush_lock:
            while self._pending:
                batch = [
                    self._pending.popleft()
                    for _ in range(min(self._batch_size, len(self._pending)))
                ]
                try:
                    async with self._store.session() as session, session.begin():
                        await write_batch(session, batch)
                except Exception as error:
                    self._pending.extendleft(reversed(batch))
                    _log.warning("spend batch not written (%s); will retry", type(error).__name__)
                    return
                self.written += len(batch)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()
