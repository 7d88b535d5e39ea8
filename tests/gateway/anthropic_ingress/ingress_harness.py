"""Helpers: OpenAI chunks in a line, SSE parsing, and the official anthropic SDK wired to
this package through an in-memory HTTP transport (what the gateway route will do)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anthropic
import httpx2

from lockgate.errors import LockgateError
from lockgate.gateway.anthropic_ingress import (
    AnthropicStreamTranslator,
    OpenAIChatRequest,
    anthropic_error_body,
    anthropic_request_to_openai,
    openai_response_to_anthropic,
)
from lockgate.types import ChatCompletion, ChatCompletionChunk, Usage

Upstream = Callable[[OpenAIChatRequest], ChatCompletion | list[ChatCompletionChunk]]


def chunk(
    finish_reason: str | None = None,
    *,
    usage: Usage | None = None,
    chunk_id: str = "chatcmpl-stream",
    choice_extra: dict[str, Any] | None = None,
    **delta: Any,
) -> ChatCompletionChunk:
    """One OpenAI stream chunk whose first choice carries ``delta``."""
    choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish_reason}
    choice.update(choice_extra or {})
    data: dict[str, Any] = {"id": chunk_id, "model": "upstream-model", "choices": [choice]}
    result = ChatCompletionChunk.from_dict(data)
    result.usage = usage
    return result


def usage_chunk(usage: Usage) -> ChatCompletionChunk:
    """The final chunk of an OpenAI stream with include_usage: no choices, only usage."""
    return ChatCompletionChunk(id="chatcmpl-stream", choices=[], usage=usage)


def translate_stream(
    chunks: list[ChatCompletionChunk], usage: Usage | None = None, **kwargs: Any
) -> bytes:
    translator = AnthropicStreamTranslator("claude-test", **kwargs)
    out: list[bytes] = []
    for item in chunks:
        out.extend(translator.feed(item))
    out.extend(translator.finish(usage))
    return b"".join(out)


def sse_events(raw: bytes) -> list[tuple[str, dict[str, Any]]]:
    """(event name, data JSON) for every event; checks the framing on the way."""
    assert raw.endswith(b"\n\n")
    events = []
    for block in raw.decode().split("\n\n")[:-1]:
        name_line, data_line = block.split("\n")
        assert name_line.startswith("event: ") and data_line.startswith("data: ")
        name = name_line.removeprefix("event: ")
        data = json.loads(data_line.removeprefix("data: "))
        assert data["type"] == name
        events.append((name, data))
    return events


def sdk_client(handler: Callable[[httpx2.Request], httpx2.Response]) -> anthropic.Anthropic:
    transport = httpx2.MockTransport(handler)
    return anthropic.Anthropic(
        api_key="sk-gateway-key",
        base_url="http://gateway.test",
        http_client=httpx2.Client(transport=transport),
        max_retries=0,
    )


def gateway(
    upstream: Upstream, seen: list[OpenAIChatRequest]
) -> Callable[[httpx2.Request], httpx2.Response]:
    """A stand-in for the /v1/messages route: translate, call ``upstream``, translate back."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path == "/v1/messages"
        try:
            call = anthropic_request_to_openai(json.loads(request.content))
            seen.append(call)
            answer = upstream(call)
        except LockgateError as error:
            status, body = anthropic_error_body(error, request_id="req_test")
            return httpx2.Response(status, json=body)
        model = json.loads(request.content)["model"]
        if isinstance(answer, ChatCompletion):
            return httpx2.Response(200, json=openai_response_to_anthropic(answer, model))
        translator = AnthropicStreamTranslator(model)
        events = [event for c in answer for event in translator.feed(c)]
        events += translator.finish()
        headers = {"content-type": "text/event-stream; charset=utf-8"}
        return httpx2.Response(200, headers=headers, content=b"".join(events))

    return handle
