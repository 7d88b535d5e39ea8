"""What the gateway needs from the router: the model groups and the calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol

from lockgate.client.raw_stream import RawStream
from lockgate.transport.messages import UpstreamResponse
from lockgate.types import (
    ChatCompletion,
    ChatCompletionChunk,
    EmbeddingResponse,
    TextCompletion,
    Usage,
)

__all__ = ["ChunkStream", "ModelDispatcher"]


class ChunkStream(Protocol):
    """A stream of chat chunks (the client's, or the router's wrapper around it)."""

    _hidden_params: dict[str, Any]

    def __aiter__(self) -> AsyncIterator[ChatCompletionChunk]: ...

    async def aclose(self) -> None: ...

    @property
    def usage(self) -> Usage | None: ...


class ModelDispatcher(Protocol):
    async def acompletion(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: bool = False,
        **kwargs: Any,
    ) -> ChatCompletion | ChunkStream: ...

    async def aembedding(self, model: str, input: Any, **kwargs: Any) -> EmbeddingResponse: ...

    async def atext_completion(self, model: str, prompt: Any, **kwargs: Any) -> TextCompletion: ...

    async def apassthrough(
        self,
        model: str,
        endpoint: str,
        body: bytes,
        content_type: str = "application/json",
        *,
        stream: bool = False,
        **kwargs: Any,
    ) -> UpstreamResponse | RawStream: ...

    def get_model_names(self, *, include_aliases: bool = False) -> list[str]: ...

    async def aclose(self) -> None: ...
