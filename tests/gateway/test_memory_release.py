"""After a burst of requests ends, the gateway returns freed memory to the OS once idle."""

from __future__ import annotations

import asyncio

from lockgate.gateway.memory_release import MemoryRelease


async def test_release_runs_once_after_a_burst_when_idle() -> None:
    in_flight = [0]
    memory = MemoryRelease(lambda: in_flight[0], burst=3, check_every=0.01)
    memory.start()
    try:
        for count in (1, 2, 3):  # a burst of three at once ...
            in_flight[0] = count
            memory.note(count)
        await asyncio.sleep(0.05)
        assert memory.releases == 0  # ... still in flight: never while busy
        in_flight[0] = 0
        await asyncio.sleep(0.05)
        assert memory.releases == 1
        await asyncio.sleep(0.05)
        assert memory.releases == 1  # once per burst, not every check
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
