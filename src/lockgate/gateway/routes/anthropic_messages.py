"""POST /v1/messages and /v1/messages/count_tokens: Anthropic's API served from any provider.

The Anthropic body is translated to an OpenAI-format call, routed like any other, and the
answer (or each stream chunk) translated back. Anthropic-only features (``cache_control``,
thinking blocks with signatures, ``top_k``, ``thinking``, ...) ride along in that call and
reach the upstream only when the chosen deployment speaks Anthropic's protocol. Errors use
Anthropic's error shape.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from lockgate.errors import LockgateError
from lockgate.gateway.admission import admitted
from lockgate.gateway.anthropic_ingress import (
    AnthropicStreamTranslator,
    anthropic_error_body,
    anthropic_request_to_openai,
    count_tokens_response,
    error_event,
    openai_response_to_anthropic,
)
from lockgate.gateway.dispatcher import ChunkStream
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.http_response import send_json
from lockgate.gateway.routes.chat import request_body, within_timeout
from lockgate.gateway.stream_relay import relay_sse
from lockgate.pricing import estimate_prompt_tokens
from lockgate.types import ChatCompletion

__all__ = ["count_tokens", "messages", "render_anthropic_error"]


def render_anthropic_error(error: LockgateError) -> tuple[int, object]:
    return anthropic_error_body(error)


async def _anthropic_events(
    stream: ChunkStream, translator: AnthropicStreamTranslator
) -> AsyncIterator[bytes]:
    async for chunk in stream:
        for event in translator.feed(chunk):
            yield event
    for event in translator.finish(stream.usage):
        yield event


async def messages(exchange: Exchange) -> None:
    body = request_body(exchange)
    # Anthropic-only fields travel with the call; the adapter of the deployment the router
    # picks sends them (Anthropic protocol) or leaves them out (any other).
    translated = anthropic_request_to_openai(body)
    params = translated.dispatch_params()
    stream = translated.stream
    exchange.request.model = translated.model
    checked = {**params, "messages": translated.messages}
    async with admitted(exchange, "messages", checked, translated.model) as model:
        await _messages(exchange, model, translated.messages, params, stream=stream)


async def _messages(
    exchange: Exchange,
    model: str,
    messages: list[dict[str, Any]],
    params: dict[str, Any],
    *,
    stream: bool,
) -> None:
    dispatcher = exchange.state.dispatcher
    if not stream:
        result = await within_timeout(
            exchange, dispatcher.acompletion(model, messages, stream=False, **params)
        )
        assert isinstance(result, ChatCompletion)
        exchange.note_usage(result.usage, result._hidden_params)
        await send_json(
            exchange.send,
            200,
            openai_response_to_anthropic(result, model),
            exchange.response_headers(),
        )
        return
    opened: ChunkStream = await within_timeout(
        exchange, dispatcher.acompletion(model, messages, stream=True, **params)
    )
    translator = AnthropicStreamTranslator(model, input_tokens=estimate_prompt_tokens(messages))
    try:
        await relay_sse(
            exchange,
            _anthropic_events(opened, translator),
            on_error=error_event,
            close_upstream=opened.aclose,
        )
    finally:
        exchange.note_usage(opened.usage, opened._hidden_params)


async def count_tokens(exchange: Exchange) -> None:
    body = request_body(exchange)
    await send_json(exchange.send, 200, count_tokens_response(body), exchange.response_headers())
