"""After a refresh, no object made during a burst stays parked in a C free list.

tracemalloc sees a parked object as still allocated (its memory was never given back), so
the test counts the traced blocks allocated at the burst's line: some stay after the burst
(parked for reuse), none after the refresh. Only small blocks count: those are CPython's
allocator's, whose arenas one live block keeps (a bigger block, such as a grown deque's
spare one, is glibc's and holds only its own pages).

Each scenario runs in a fresh interpreter: the free lists are per process, and an event
loop some earlier test left running in a thread could take an object from them mid-test.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import uvloop
from multidict import CIMultiDict, CIMultiDictProxy

from lockgate.gateway.freelists import FreelistReserve

_BURST = 1000
_HERE = __file__
_SMALL = 512  # CPython's allocator serves blocks up to this size


def _noop() -> None:
    pass


def _burst(make: Callable[[], object]) -> None:
    """Allocates a burst's worth of objects at one line, then drops them all."""
    objects = [make() for _ in range(_BURST)]  # the burst's line
    for obj in objects:
        cancel = getattr(obj, "cancel", None)
        if cancel is not None:
            cancel()
    objects.clear()


def _blocks_from_bursts() -> int:
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    return sum(
        1
        for trace in snapshot.traces
        if trace.size <= _SMALL
        and any(
            frame.filename == _HERE and frame.lineno == _BURST_LINE for frame in trace.traceback
        )
    )


_BURST_LINE = _burst.__code__.co_firstlineno + 2


def _makers(loop: asyncio.AbstractEventLoop) -> dict[str, Callable[[], object]]:
    future = loop.create_future()
    context = contextvars.copy_context()
    return {
        "future iterators": future.__await__,
        "uvloop handles": lambda: loop.call_soon(_noop, context=context),
        "uvloop timer handles": lambda: loop.call_later(3600.0, _noop, context=context),
        "multidicts": lambda: CIMultiDictProxy(CIMultiDict[str]()),
    }


def _one_burst(kind: str) -> tuple[int, int]:
    """Blocks from a burst parked in the free list after it, and left after a refresh."""

    async def scenario() -> tuple[int, int]:
        reserve = FreelistReserve(asyncio.get_running_loop())  # at start-up
        assert kind in reserve.kinds
        _burst(_makers(asyncio.get_running_loop())[kind])
        await asyncio.sleep(0)  # cancelled handles leave the ready queue
        parked = _blocks_from_bursts()
        await reserve.refresh()
        await asyncio.sleep(0)
        return parked, _blocks_from_bursts()

    return uvloop.run(scenario())


def _two_bursts() -> list[int]:
    """Blocks left after each of two bursts of every kind, each followed by a refresh."""

    async def scenario() -> list[int]:
        reserve = FreelistReserve(asyncio.get_running_loop())
        makers = _makers(asyncio.get_running_loop())
        left = []
        for _ in range(2):  # the second refresh works as well as the first
            for make in makers.values():
                _burst(make)
            await asyncio.sleep(0)
            await reserve.refresh()
            await asyncio.sleep(0)
            left.append(_blocks_from_bursts())
        return left

    return uvloop.run(scenario())


def _in_fresh_interpreter(call: str) -> Any:
    code = (
        "import json, tracemalloc\n"
        "from tests.gateway import test_memory_release_freelists as t\n"
        "tracemalloc.start(4)\n"
        f"print(json.dumps(t.{call}))\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "kind", ["future iterators", "uvloop handles", "uvloop timer handles", "multidicts"]
)
def test_refresh_frees_what_the_burst_parked(kind: str) -> None:
    parked, left = _in_fresh_interpreter(f"_one_burst({kind!r})")
    assert parked > 0  # the free list kept some of the burst's objects ...
    assert left == 0  # ... and after the refresh none


def test_refresh_keeps_the_reserve_for_the_next_burst() -> None:
    assert _in_fresh_interpreter("_two_bursts()") == [0, 0]


def test_a_plain_asyncio_loop_has_only_the_python_level_kinds() -> None:
    async def kinds() -> list[str]:
        return FreelistReserve(asyncio.get_running_loop()).kinds

    found = asyncio.run(kinds())
    assert "uvloop handles" not in found
    assert "future iterators" in found
