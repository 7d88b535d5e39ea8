"""Runs the async core for synchronous callers on one background event loop.

A single long-lived loop (started on the first synchronous call, not at import) lets
synchronous calls share one pooled connection session instead of opening a new one per call.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from lockgate.client.stream import CompletionStream
from lockgate.types import ChatCompletionChunk

__all__ = ["BackgroundLoop", "SyncCompletionStream"]

T = TypeVar("T")


class BackgroundLoop:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="lockgate-sync", daemon=True
                )
                thread.start()
                self._loop = loop
            return self._loop

    def run(self, make: Callable[[], Awaitable[T]]) -> T:
        async def runner() -> T:
            return await make()

        future = asyncio.run_coroutine_threadsafe(runner(), self._running_loop())
        return future.result()


class SyncCompletionStream:
    """A synchronous iterator over a :class:`CompletionStream` living on the background loop."""

    def __init__(self, stream: CompletionStream, loop: BackgroundLoop) -> None:
        self._stream = stream
        self._loop = loop

    def __iter__(self) -> Iterator[ChatCompletionChunk]:
        return self

    def __next__(self) -> ChatCompletionChunk:
        try:
            return self._loop.run(self._stream.__anext__)
        except StopAsyncIteration:
            raise StopIteration from None

    def close(self) -> None:
        self._loop.run(self._stream.aclose)

    def __enter__(self) -> SyncCompletionStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def usage(self) -> Any:
        return self._stream.usage

    @property
    def response_cost(self) -> float | None:
        return self._stream.response_cost
