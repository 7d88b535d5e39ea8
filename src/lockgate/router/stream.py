"""The stream a routed call returns: the client's stream, its first chunk already fetched,
and the deployment's bookkeeping done when it ends.

The router reads the first chunk before it returns, so an upstream that fails before
sending anything is failed over like any other attempt; after the first chunk the caller
owns the stream, and an error is passed on (and counted against the deployment).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any

from lockgate.client import CompletionStream
from lockgate.errors import LockgateError
from lockgate.router.sync_runner import SyncRunner
from lockgate.types import ChatCompletionChunk, Usage

__all__ = ["OpenedStream", "RoutedStream", "SyncRoutedStream", "open_stream"]

OnEnd = Callable[["RoutedStream", LockgateError | None], Awaitable[None]]


class OpenedStream:
    """A client stream with its first chunk (None: it ended before sending one)."""

    __slots__ = ("first", "stream", "time_to_first_chunk")

    def __init__(
        self, stream: CompletionStream, first: ChatCompletionChunk | None, ttfc: float
    ) -> None:
        self.stream = stream
        self.first = first
        self.time_to_first_chunk = ttfc


async def open_stream(stream: CompletionStream, started: float) -> OpenedStream:
    """Read the first chunk; on failure close the stream and raise (so a retry may follow)."""
    try:
        first: ChatCompletionChunk | None = await stream.__anext__()
    except StopAsyncIteration:
        first = None
    except BaseException:
        await stream.aclose()
        raise
    return OpenedStream(stream, first, time.perf_counter() - started)


class RoutedStream:
    """Async iterator of chunks, like :class:`~lockgate.client.CompletionStream`, plus
    ``_hidden_params`` naming the deployment that serves it. Close it (``async with`` or
    ``aclose()``) when not reading it to the end."""

    def __init__(self, opened: OpenedStream, hidden_params: dict[str, Any], on_end: OnEnd) -> None:
        self._stream = opened.stream
        self._first = opened.first
        self._done = opened.first is None
        self._on_end: OnEnd | None = on_end
        # The client stream's own dict (provider; the cost once it ends) plus the router's.
        self._hidden_params = opened.stream._hidden_params
        self._hidden_params.update(hidden_params)
        self.time_to_first_chunk = opened.time_to_first_chunk

    # ------------------------------------------------------------------ iteration
    def __aiter__(self) -> AsyncIterator[ChatCompletionChunk]:
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        first = self._first
        if first is not None:
            self._first = None
            return first
        if self._done:
            await self._end(None)
            raise StopAsyncIteration
        try:
            return await self._stream.__anext__()
        except StopAsyncIteration:
            self._done = True
            await self._end(None)
            raise
        except LockgateError as error:
            self._done = True
            await self._end(error)
            raise
        except BaseException:
            self._done = True
            await self._end(None)
            raise

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            await self._end(None)

    async def _end(self, error: LockgateError | None) -> None:
        on_end, self._on_end = self._on_end, None
        if on_end is not None:
            await on_end(self, error)

    async def __aenter__(self) -> RoutedStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ results
    @property
    def usage(self) -> Usage | None:
        return self._stream.usage

    @property
    def response_cost(self) -> float | None:
        # The router may have repriced it at the deployment's own prices (in hidden params).
        cost = self._hidden_params.get("response_cost")
        return float(cost) if cost is not None else self._stream.response_cost

    @property
    def provider(self) -> str:
        return self._stream.provider

    @property
    def model(self) -> str:
        return self._stream.model


class SyncRoutedStream:
    """A synchronous iterator over a :class:`RoutedStream` living on a background loop."""

    def __init__(self, stream: RoutedStream, loop: SyncRunner) -> None:
        self._stream = stream
        self._loop = loop
        self._hidden_params = stream._hidden_params

    def __iter__(self) -> Iterator[ChatCompletionChunk]:
        return self

    def __next__(self) -> ChatCompletionChunk:
        try:
            return self._loop.run(self._stream.__anext__)
        except StopAsyncIteration:
            raise StopIteration from None

    def close(self) -> None:
        self._loop.run(self._stream.aclose)

    def __enter__(self) -> SyncRoutedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def usage(self) -> Usage | None:
        return self._stream.usage

    @property
    def response_cost(self) -> float | None:
        return self._stream.response_cost
