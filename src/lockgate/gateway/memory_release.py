"""Give memory back to the operating system after a burst of requests has ended.

A burst (say 1,000 streams open at once) grows the heap; when it ends, CPython's allocator
and glibc's malloc keep the freed memory for reuse, so the process RSS stays at its peak.
Once the gateway is idle again after such a burst, this drops what the burst left behind
and returns the free pages:

1. ``before_collect`` (the app closes its idle upstream connections: each one kept its
   socket, parser and last response, all allocated during the burst), then one full
   collection;
2. the C free lists of asyncio, uvloop and multidict are swapped for objects allocated at
   start-up (``lockgate/gateway/freelists.py``);
3. CPython's type-attribute cache is cleared (it keeps a reference to the last attribute
   name looked up on each type, many of them strings made during the burst);
4. glibc's ``malloc_trim(0)``.

A single object still alive in a 1 MiB arena of CPython's allocator keeps all of it; with
``PYTHONMALLOC=malloc`` the objects live in glibc's heap, where ``malloc_trim`` returns
every free page around them. docs/gateway.md has the figures. It runs only when nothing is
in flight, because a full collection pauses the event loop for some milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import sys
from collections.abc import Callable
from typing import Final

from lockgate.gateway.freelists import FreelistReserve

__all__ = ["MemoryRelease"]

# A burst is this many requests in flight at once; smaller peaks leave little to return.
_BURST: Final = 64
_CHECK_EVERY_SECONDS: Final = 2.0
_SETTLE_SECONDS: Final = 0.05


def _malloc_trim() -> Callable[[int], int]:
    """glibc's malloc_trim from the symbols already loaded in this process, or a no-op on
    another C library (musl, macOS). No ``ctypes.util.find_library``: it runs ldconfig in
    a subprocess."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return lambda _pad: 0
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
        before_collect: Callable[[], object] | None = None,
    ) -> None:
        self._in_flight = in_flight
        self._burst = burst
        self._check_every = check_every
        self._before_collect = before_collect
        self._peak = 0
        self._trim: Callable[[int], int] | None = None
        self._freelists: FreelistReserve | None = None
        self._task: asyncio.Task[None] | None = None
        self.releases = 0

    def note(self, in_flight: int) -> None:
        if in_flight > self._peak:
            self._peak = in_flight

    def start(self) -> None:
        """Prepares everything a release needs now, before any burst: what is allocated
        after one lands in the arenas the burst added, and would keep them."""
        if self._task is None:
            loop = asyncio.get_running_loop()
            self._trim = _malloc_trim()
            self._freelists = FreelistReserve(loop)
            self._task = loop.create_task(self._watch())

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
                await self.release()

    async def release(self) -> None:
        self._peak = 0
        if self._before_collect is not None:
            self._before_collect()
            # Closed transports run their connection_lost on the loop's next turns.
            await asyncio.sleep(_SETTLE_SECONDS)
        # First the garbage (closed connections are cycles): what it parks in the free
        # lists as it goes must be there before they are swapped.
        gc.collect()
        if self._freelists is not None:
            await self._freelists.refresh()
        sys._clear_type_cache()
        (self._trim or _malloc_trim())(0)
        self.releases += 1
