"""Give memory back to the operating system after a burst of requests has ended.

A burst (say 1,000 streams open at once) grows the heap; when it ends, CPython's allocator
and glibc's malloc keep the freed memory for reuse, so the process RSS stays at its peak.
Once the gateway is idle again after such a burst, this runs one full collection and
glibc's ``malloc_trim(0)``, which returns the free pages. It runs only when nothing is in
flight, because a full collection pauses the event loop for some milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
from collections.abc import Callable
from typing import Final

__all__ = ["MemoryRelease"]

# A burst is this many requests in flight at once; smaller peaks leave little to return.
_BURST: Final = 64
_CHECK_EVERY_SECONDS: Final = 2.0


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim from the symbols already loaded in this process, or None on
    another C library (musl, macOS). No ``ctypes.util.find_library``: it runs ldconfig in
    a subprocess."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


class MemoryRelease:
    """``note(in_flight)`` on every request start; ``start()`` on the serving loop."""

    def __init__(
        self,
        in_flight: Callable[[], int],
        *,
        burst: int = _BURST,
        check_every: float = _CHECK_EVERY_SECONDS,
    ) -> None:
        self._in_flight = in_flight
        self._burst = burst
        self._check_every = check_every
        self._peak = 0
        self._trim: Callable[[int], int] | None = None
        self._task: asyncio.Task[None] | None = None
        self.releases = 0

    def note(self, in_flight: int) -> None:
        if in_flight > self._peak:
            self._peak = in_flight

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._check_every)
            if self._peak >= self._burst and self._in_flight() == 0:
                self.release()

    def release(self) -> None:
        self._peak = 0
        gc.collect()
        if self._trim is None:
            self._trim = _malloc_trim() or (lambda _pad: 0)
        self._trim(0)
        self.releases += 1
