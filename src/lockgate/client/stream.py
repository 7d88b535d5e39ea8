"""A completion stream: chunks as they arrive, with usage and cost known at the end."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AsyncExitStack
from types import TracebackType
from typing import TYPE_CHECKING, Any

from lockgate.errors import APIConnectionError
from lockgate.providers.base import Framing, StreamParser
from lockgate.transport.aws_eventstream import AwsEventStreamDecoder
from lockgate.transport.framing import FrameDecoder, NDJSONDecoder, SSEDecoder
from lockgate.types import ChatCompletionChunk, Usage

if TYPE_CHECKING:
    from lockgate.transport.http_client import StreamingResponse

__all__ = ["CompletionStream", "decoder_for"]


def decoder_for(framing: Framing) -> FrameDecoder:
    if framing is Framing.SSE:
        return SSEDecoder()
    if framing is Framing.NDJSON:
        return NDJSONDecoder()
    if framing is Framing.AWS_EVENTSTREAM:
        return AwsEventStreamDecoder()
    raise ValueError(f"no decoder for framing {framing}")


class CompletionStream:
    """Async iterator of :class:`ChatCompletionChunk`. Closing it cancels the upstream call.

    ``usage`` and ``response_cost`` are set once the stream has ended. When the caller did
    not ask for ``stream_options.include_usage``, the provider's usage-only chunk is consumed
    here (lockgate always asks for it, to know the cost) and not passed on.
    """

    def __init__(
        self,
        response: StreamingResponse,
        exits: AsyncExitStack,
        decoder: FrameDecoder,
        parser: StreamParser,
        *,
        include_usage: bool,
        cost_of: Callable[[Usage], float | None],
        provider: str,
        model: str,
    ) -> None:
        self._response = response
        self._exits = exits
        self._decoder = decoder
        self._parser = parser
        self._include_usage = include_usage
        self._cost_of = cost_of
        self.provider = provider
        self.model = model
        self.usage: Usage | None = None
        # Facts about the call (deployment, provider, cost), as on a response's _hidden_params.
        self._hidden_params: dict[str, Any] = {"custom_llm_provider": provider}
        self.response_cost: float | None = None
        self.first_chunk_at: float | None = None
        self._iterator = self._chunks()
        self._closed = False

    def __aiter__(self) -> AsyncIterator[ChatCompletionChunk]:
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> CompletionStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._iterator.aclose()
            await self._exits.aclose()

    async def _chunks(self) -> AsyncGenerator[ChatCompletionChunk, None]:
        try:
            async for raw in self._response.iter_bytes():
                for event in self._decoder.feed(raw):
                    for chunk in self._parser.feed(event):
                        out = self._observe(chunk)
                        if out is not None:
                            yield out
            for event in self._decoder.close():
                for chunk in self._parser.feed(event):
                    out = self._observe(chunk)
                    if out is not None:
                        yield out
            if not self._parser.done:
                raise APIConnectionError(
                    "upstream stream ended before it was complete",
                    provider=self.provider,
                    model=self.model,
                )
            if self.usage is not None:
                self.response_cost = self._cost_of(self.usage)
                self._hidden_params["response_cost"] = self.response_cost
        finally:
            self._closed = True
            await self._exits.aclose()

    def _observe(self, chunk: ChatCompletionChunk) -> ChatCompletionChunk | None:
        if self.first_chunk_at is None:
            self.first_chunk_at = time.perf_counter()
        if chunk.usage is not None:
            self.usage = chunk.usage
            chunk._hidden_params["response_cost"] = self._cost_of(chunk.usage)
            if not self._include_usage:
                if not chunk.choices:
                    return None  # the usage-only chunk the caller did not ask for
                chunk.usage = None
        return chunk
