"""Calls and stream feeding for the Azure, Bedrock, Cohere and Ollama translation tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import orjson

from lockgate.client.stream import decoder_for
from lockgate.providers import PROVIDERS, ChatCall, Credentials, EmbeddingCall
from lockgate.providers.base import ChatAdapter
from lockgate.security import Secret
from lockgate.transport import UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletionChunk

USER = [{"role": "user", "content": "Hello!"}]


def credentials(
    api_base: str | None = "http://upstream.test", api_key: str | None = "test-key", **more: Any
) -> Credentials:
    return Credentials(api_key=Secret(api_key) if api_key else None, api_base=api_base, **more)


def chat(
    provider: str,
    model: str,
    messages: Sequence[Mapping[str, Any]] = USER,
    *,
    stream: bool = False,
    creds: Credentials | None = None,
    **params: Any,
) -> ChatCall:
    return ChatCall(
        provider=PROVIDERS[provider],
        model=model,
        messages=[dict(m) for m in messages],
        params=MappingProxyType(params),
        stream=stream,
        credentials=creds or credentials(),
    )


def embedding(
    provider: str, model: str, input: Any, creds: Credentials | None = None, **params: Any
) -> EmbeddingCall:
    return EmbeddingCall(
        PROVIDERS[provider], model, input, MappingProxyType(params), creds or credentials()
    )


def body_of(request: UpstreamRequest) -> dict[str, Any]:
    body = orjson.loads(request.body or b"")
    assert isinstance(body, dict)
    return body


def response(body: Any, status: int = 200, **headers: str) -> UpstreamResponse:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return UpstreamResponse(status, dict(headers), raw)


def feed(
    adapter: ChatAdapter, call: ChatCall, raw: bytes, *, read_size: int = 7, complete: bool = True
) -> list[ChatCompletionChunk]:
    """Decode ``raw`` with the adapter's framing in awkward reads and parse every event."""
    decoder = decoder_for(adapter.framing)
    parser = adapter.stream_parser(call)
    chunks: list[ChatCompletionChunk] = []
    for start in range(0, len(raw), read_size):
        for event in decoder.feed(raw[start : start + read_size]):
            chunks.extend(parser.feed(event))
    for event in decoder.close():
        chunks.extend(parser.feed(event))
    assert parser.done is complete
    return chunks


def text_of(chunks: Iterable[ChatCompletionChunk], field: str = "content") -> str:
    return "".join(getattr(c.delta, field) or "" for chunk in chunks for c in chunk.choices)


def tool_calls_of(chunks: Iterable[ChatCompletionChunk]) -> dict[int, dict[str, str]]:
    calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or ():
                entry = calls.setdefault(call.index or 0, {"id": "", "name": "", "arguments": ""})
                entry["id"] = entry["id"] or (call.id or "")
                entry["name"] = entry["name"] or (call.function.name or "")
                entry["arguments"] += call.function.arguments or ""
    return calls


def finish_of(chunks: Iterable[ChatCompletionChunk]) -> str | None:
    return next((c.finish_reason for ch in chunks for c in ch.choices if c.finish_reason), None)


def usage_of(chunks: Iterable[ChatCompletionChunk]) -> Any:
    return next((ch.usage for ch in chunks if ch.usage is not None), None)
