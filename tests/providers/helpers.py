"""Building calls and feeding streams for the pure-translation tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import orjson

from lockgate.providers import PROVIDERS, ChatCall, Credentials
from lockgate.providers.base import ChatAdapter
from lockgate.security import Secret
from lockgate.transport import SSEDecoder, UpstreamRequest
from lockgate.types import ChatCompletionChunk


def chat_call(
    provider: str,
    model: str,
    messages: Sequence[Mapping[str, Any]],
    *,
    stream: bool = False,
    api_base: str | None = None,
    api_key: str = "test-key",
    vertex_project: str | None = None,
    vertex_location: str | None = None,
    **params: Any,
) -> ChatCall:
    spec = PROVIDERS[provider]
    return ChatCall(
        provider=spec,
        model=model,
        messages=[dict(m) for m in messages],
        params=MappingProxyType(params),
        stream=stream,
        credentials=Credentials(
            api_key=Secret(api_key),
            api_base=api_base or spec.default_api_base,
            vertex_project=vertex_project,
            vertex_location=vertex_location,
        ),
    )


def body_of(request: UpstreamRequest) -> dict[str, Any]:
    body = orjson.loads(request.body or b"")
    assert isinstance(body, dict)
    return body


def feed_stream(adapter: ChatAdapter, call: ChatCall, raw: bytes) -> list[ChatCompletionChunk]:
    """Decode ``raw`` as SSE (in awkward 7-byte reads) and parse every event."""
    parser = adapter.stream_parser(call)
    decoder = SSEDecoder()
    chunks: list[ChatCompletionChunk] = []
    for start in range(0, len(raw), 7):
        for event in decoder.feed(raw[start : start + 7]):
            chunks.extend(parser.feed(event))
    for event in decoder.close():
        chunks.extend(parser.feed(event))
    assert parser.done
    return chunks


def joined(chunks: Sequence[ChatCompletionChunk], field: str) -> str:
    return "".join(getattr(c.delta, field) or "" for chunk in chunks for c in chunk.choices)
