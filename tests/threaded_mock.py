"""A mock provider on its own event loop in a thread, for synchronous tests and servers
running in other processes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from lockgate.mock import MockServer


@contextmanager
def mock_in_thread() -> Iterator[str]:
    """Yield the base URL of a mock server that runs until the block ends."""
    ready = threading.Event()
    holder: dict[str, object] = {}
    loop = asyncio.new_event_loop()

    async def serve() -> None:
        async with MockServer() as server:
            holder["url"] = server.url
            stop = asyncio.Event()
            holder["stop"] = stop
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield str(holder["url"])
    finally:
        stop = holder["stop"]
        assert isinstance(stop, asyncio.Event)
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
