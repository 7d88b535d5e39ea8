"""POST /v1/chat/completions and POST /v1/completions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson

from lockgate.errors import APITimeoutError, LockgateError
from lockgate.gateway.admission import admitted
from lockgate.gateway.destination_guard import reject_destination_overrides
from lockgate.gateway.dispatcher import ChunkStream
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes.deadline import await_within
from lockgate.gateway.routes.text_stream import prompt_messages, text_sse_events
from lockgate.gateway.stream_relay import relay_sse
from lockgate.gateway.validation import validate_chat_body, validate_text_completion_body
from lockgate.types import ChatCompletion

__all__ = ["chat_completions", "request_body", "text_completions", "within_timeout"]

_DONE = b"data: [DONE]\n\n"


def request_body(exchange: Exchange) -> dict[str, Any]:
    """Parse the JSON body once and refuse destination overrides anywhere in the request."""
    body = exchange.request.json_object()
    reject_destination_overrides(body, (), ())
    return body


async def within_timeout(exchange: Exchange, coro: Any) -> Any:
    timeout = exchange.state.limits.request_timeout
    try:
        return await await_within(coro, timeout)
    except TimeoutError:
        raise _timed_out(timeout) from None


def _timed_out(timeout: float) -> APITimeoutError:
    return APITimeoutError(f"request did not finish within {timeout:g}s")


def openai_error_event(error: LockgateError) -> bytes:
    # The OpenAI SDK raises APIError for a data line whose JSON has a top-level "error".
    return b"data: " + orjson.dumps(error.to_openai_error()) + b"\n\n"


async def _sse_events(stream: ChunkStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield b"data: " + chunk.to_json_bytes() + b"\n\n"
    yield _DONE


async def chat_completions(exchange: Exchange) -> None:
    body = request_body(exchange)
    validate_chat_body(body)
    exchange.request.model = body["model"]
    async with admitted(exchange, "chat", body) as model:
        del body["model"]
        messages = body.pop("messages")
        stream = bool(body.pop("stream", False))
        state = exchange.state
        dispatcher = state.dispatcher
        if not stream:
            # within_timeout written out: one coroutine less on every chat request.
            timeout = state.limits.request_timeout
            try:
                result = await await_within(
                    dispatcher.acompletion(model, messages, stream=False, **body), timeout
                )
            except TimeoutError:
                raise _timed_out(timeout) from None
            assert isinstance(result, ChatCompletion)
            exchange.note_usage(result.usage, result._hidden_params)
            # The provider's own bytes when nothing was rewritten: no second serialisation.
            await exchange.send_answer(200, result.wire_bytes())
            return
        opened = await within_timeout(
            exchange, dispatcher.acompletion(model, messages, stream=True, **body)
        )
        try:
            await relay_sse(
                exchange,
                _sse_events(opened),
                on_error=openai_error_event,
                close_upstream=opened.aclose,
            )
        finally:
            exchange.note_usage(opened.usage, opened._hidden_params)


async def text_completions(exchange: Exchange) -> None:
    body = request_body(exchange)
    validate_text_completion_body(body)
    stream = bool(body.pop("stream", False))
    exchange.request.model = body["model"]
    async with admitted(exchange, "completions", body) as model:
        del body["model"]
        prompt = body.pop("prompt")
        dispatcher = exchange.state.dispatcher
        if stream:
            messages = prompt_messages(prompt, body)
            opened = await within_timeout(
                exchange, dispatcher.acompletion(model, messages, stream=True, **body)
            )
            try:
                await relay_sse(
                    exchange,
                    text_sse_events(opened),
                    on_error=openai_error_event,
                    close_upstream=opened.aclose,
                )
            finally:
                exchange.note_usage(opened.usage, opened._hidden_params)
            return
        result = await within_timeout(exchange, dispatcher.atext_completion(model, prompt, **body))
        exchange.note_usage(result.usage, result._hidden_params)
        await exchange.send_answer(200, result.to_json_bytes())
