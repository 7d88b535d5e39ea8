"""After a burst of requests ends, the gateway returns freed memory to the OS once idle."""

from __future__ import annotations

import asyncio
import sys

import pytest

from lockgate.gateway.memory_release import MemoryRelease


async def test_release_runs_once_after_a_burst_when_idle() -> None:
    in_flight = [0]
    closed: list[int] = []
    memory = MemoryRelease(
        lambda: in_flight[0],
        burst=3,
        check_every=0.01,
        before_collect=lambda: closed.append(in_flight[0]),
    )
    memory.start()
    try:
        for count in (1, 2, 3):  # a burst of three at once ...
            in_flight[0] = count
            memory.note(count)
        await asyncio.sleep(0.05)
        assert memory.releases == 0  # ... still in flight: never while busy
        assert closed == []
        in_flight[0] = 0
        for _ in range(100):
            if memory.releases:
                break
            await asyncio.sleep(0.01)
        assert memory.releases == 1
        assert closed == [0]  # the app's hook ran, with nothing in flight
        await asyncio.sleep(0.2)
        assert memory.releases == 1  # once per burst, not every check
        assert closed == [0]
    finally:
        await memory.stop()


async def test_small_peaks_never_release() -> None:
    memory = MemoryRelease(lambda: 0, burst=3, check_every=0.01)
    memory.start()
    try:
        memory.note(2)
        await asyncio.sleep(0.05)
        assert memory.releases == 0
    finally:
        await memory.stop()


async def test_release_clears_the_type_attribute_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cache keeps the last attribute name looked up on each type: after a burst,
    # strings made during it.
    cleared: list[bool] = []
    monkeypatch.setattr(sys, "_clear_type_cache", lambda: cleared.append(True))
    memory = MemoryRelease(lambda: 0, burst=1, check_every=60.0)
    memory.start()
    try:
        await memory.release()
    finally:
        await memory.stop()
    assert cleared == [True]
    assert memory.releases == 1


async def test_release_works_without_start() -> None:
    # Called directly (no watcher, no reserve): collects and trims all the same.
    memory = MemoryRelease(lambda: 0)
    await memory.release()
    assert memory.releases == 1
