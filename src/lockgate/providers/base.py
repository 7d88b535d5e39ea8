"""The adapter interface: pure translation between OpenAI shapes and a provider's wire format.

An adapter does no I/O. The client builds a call, the adapter turns it into an
:class:`UpstreamRequest`, the transport sends it, and the adapter turns the answer (or each
stream event, or an error response) back into OpenAI-shaped objects.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, runtime_checkable

from lockgate.errors import LockgateError
from lockgate.providers.call import ChatCall, EmbeddingCall, TextCompletionCall
from lockgate.transport.framing import StreamEvent
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletion, ChatCompletionChunk, EmbeddingResponse, TextCompletion

__all__ = [
    "ChatAdapter",
    "EmbeddingAdapter",
    "Framing",
    "StreamParser",
    "TextCompletionAdapter",
]


class Framing(StrEnum):
    SSE = "sse"
    NDJSON = "ndjson"
    AWS_EVENTSTREAM = "aws-eventstream"


class StreamParser(Protocol):
    """Turns the framed events of one stream into chunks. One instance per stream."""

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        """Chunks for one event; raises a LockgateError for an in-stream error event."""
        ...

    @property
    def done(self) -> bool:
        """True once the provider's end-of-stream marker has been seen."""
        ...


@runtime_checkable
class ChatAdapter(Protocol):
    """The required interface: five methods and the stream framing."""

    framing: Framing

    def supported_params(self, call: ChatCall) -> frozenset[str]:
        """Which of the OpenAI chat parameters this provider and model accept."""
        ...

    def build_chat_request(self, call: ChatCall) -> UpstreamRequest: ...

    def parse_chat_response(self, call: ChatCall, response: UpstreamResponse) -> ChatCompletion: ...

    def stream_parser(self, call: ChatCall) -> StreamParser: ...

    def map_error(self, response: UpstreamResponse) -> LockgateError: ...


@runtime_checkable
class EmbeddingAdapter(Protocol):
    """Optional capability: embeddings."""

    def build_embedding_request(self, call: EmbeddingCall) -> UpstreamRequest: ...

    def parse_embedding_response(
        self, call: EmbeddingCall, response: UpstreamResponse
    ) -> EmbeddingResponse: ...


@runtime_checkable
class TextCompletionAdapter(Protocol):
    """Optional capability: the legacy /completions route."""

    def build_text_completion_request(self, call: TextCompletionCall) -> UpstreamRequest: ...

    def parse_text_completion_response(
        self, call: TextCompletionCall, response: UpstreamResponse
    ) -> TextCompletion: ...
