"""Empty the C free lists of asyncio, uvloop and multidict after a burst.

Several C types keep the memory of freed objects for reuse: asyncio's future iterators
(one per ``await`` of a future), uvloop's ``Handle`` and ``TimerHandle``, multidict's
dictionaries and proxies. ``gc.collect()`` does not empty these lists. After a burst they
hold objects the burst allocated, and CPython's allocator cannot give back a 1 MiB arena
while a single block in it is in use: these few hundred parked objects, scattered over
the arenas the burst added, keep those arenas resident.

``FreelistReserve`` allocates one list's worth of each type at start-up (in arenas that
exist before any burst) and, after a burst, swaps them in: it takes every parked object
out, parks the reserve instead (the lists are then full), and lets the burst's objects
go, which a full list frees for real. Then it takes the reserve back out for next time.

The capacities are those of the libraries' sources; a wrong one only makes the swap
partial. Nothing here changes behaviour: it creates and drops objects, and cancels the
callbacks it schedules before they can run.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

__all__ = ["FreelistReserve"]

# CPython 3.11 and 3.12, Modules/_asynciomodule.c: FI_FREELIST_MAXLEN.
_FUTURE_ITERATORS: Final = 255
# uvloop, includes/consts.pxi: DEFAULT_FREELIST_SIZE (Handle and TimerHandle each).
_UVLOOP_HANDLES: Final = 250
# multidict 7, _multilib/freelist.h (POOL_MAX_DEPTH): 32 dictionaries and 32 proxies.
_MULTIDICTS: Final = 32


def _noop() -> None:
    """The callback of the handles made here; they are cancelled, so it never runs."""


@dataclass(frozen=True, slots=True)
class _Kind:
    name: str
    make: Callable[[], list[object]]  # one free list's worth, taken out of the list


def _kinds(loop: asyncio.AbstractEventLoop) -> list[_Kind]:
    kinds: list[_Kind] = []
    future = loop.create_future()
    if sys.version_info < (3, 13) and type(future).__module__ == "_asyncio":
        kinds.append(_Kind("future iterators", lambda: _iterators(future)))
    if type(loop).__module__.startswith("uvloop"):
        # One shared context: call_soon would otherwise copy the current one per handle.
        context = contextvars.copy_context()
        kinds.append(_Kind("uvloop handles", lambda: _handles(loop, context)))
        kinds.append(_Kind("uvloop timer handles", lambda: _timer_handles(loop, context)))
    multidicts = _multidict_kind()
    if multidicts is not None:
        kinds.append(multidicts)
    return kinds


def _iterators(future: asyncio.Future[None]) -> list[object]:
    return [future.__await__() for _ in range(_FUTURE_ITERATORS)]


def _handles(loop: asyncio.AbstractEventLoop, context: contextvars.Context) -> list[object]:
    handles: list[object] = []
    for _ in range(_UVLOOP_HANDLES):
        handle = loop.call_soon(_noop, context=context)
        handle.cancel()  # the loop drops it, unrun, on its next iteration
        handles.append(handle)
    return handles


def _timer_handles(loop: asyncio.AbstractEventLoop, context: contextvars.Context) -> list[object]:
    handles: list[object] = []
    for _ in range(_UVLOOP_HANDLES):
        handle = loop.call_later(3600.0, _noop, context=context)
        handle.cancel()  # leaves the loop's timers at once
        handles.append(handle)
    return handles


def _multidict_kind() -> _Kind | None:
    import multidict
    from multidict import CIMultiDict, CIMultiDictProxy

    compiled = type(CIMultiDict()).__module__ == "multidict._multidict"
    if not compiled or not multidict.__version__.startswith("7."):
        return None  # the pure-Python classes have no free lists; other versions differ

    def make() -> list[object]:
        dicts: list[CIMultiDict[str]] = [CIMultiDict() for _ in range(_MULTIDICTS)]
        return [*dicts, *(CIMultiDictProxy(d) for d in dicts)]

    return _Kind("multidicts", make)


class FreelistReserve:
    """Build it on the serving loop before any burst; ``await refresh()`` once idle after
    one."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._kinds = _kinds(loop)
        self._reserve = [kind.make() for kind in self._kinds]

    @property
    def kinds(self) -> list[str]:
        return [kind.name for kind in self._kinds]

    async def refresh(self) -> None:
        # 1. Take every parked object out: the lists are empty, the burst's objects ours.
        parked = [kind.make() for kind in self._kinds]
        # Cancelled call_soon handles stay in the loop's ready queue until its next turn.
        await asyncio.sleep(0)
        # 2. Park the reserve (allocated before the burst): the lists are full again.
        #    Its Python lists stay, items and all: a list allocated or grown now would
        #    land in the burst's arenas.
        for objects in self._reserve:
            for index in range(len(objects)):
                objects[index] = None
        # 3. The burst's objects find the lists full: they are freed for real.
        parked.clear()
        # 4. Take the reserve back out for the next burst (its handles leave the ready
        #    queue on the loop's next turn, unrun); as many as before, so in place.
        for objects, kind in zip(self._reserve, self._kinds, strict=True):
            objects[:] = kind.make()
