"""`POST /v1/chat/completions`: non-stream JSON and the chunk stream ending in `[DONE]` (§1.1)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.exchange import Exchange, begin
from lockgate.mock.failures import json_response
from lockgate.mock.ids import chat_completion_id, openai_call_id
from lockgate.mock.openai_dialect import OPENAI, openai_headers
from lockgate.mock.openai_prompt import chat_prompt, usage_object
from lockgate.mock.reply import ReplyPlan, fragments, plan_reply
from lockgate.mock.sse import StreamEvent, sse_data

__all__ = ["SYSTEM_FINGERPRINT", "chat_completions", "validate_chat"]

SYSTEM_FINGERPRINT = "fp_10c0c4a7e5"
_SSE = "text/event-stream; charset=utf-8"
_DONE = b"data: [DONE]\n\n"


def validate_chat(body: dict[str, Any]) -> tuple[str, str | None] | None:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter", None
    messages = body.get("messages")
    if messages is None:
        return "Missing required parameter: 'messages'.", "messages"
    if not isinstance(messages, list) or not messages:
        return (
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got "
            "an empty array instead.",
            "messages",
        )
    return None


def _finish_reason(plan: ReplyPlan) -> str:
    if plan.tool_call is not None:
        return "tool_calls"
    return "stop" if plan.complete else "length"


def _arguments(plan: ReplyPlan) -> str:
    # Chat Completions arguments look like Python's json.dumps: `{"a": 1, "b": 2}`.
    assert plan.tool_call is not None
    return json.dumps(plan.tool_call.arguments)


def _message(plan: ReplyPlan) -> dict[str, Any]:
    if plan.tool_call is None:
        return {"role": "assistant", "content": plan.text, "refusal": None, "annotations": []}
    call = {
        "id": openai_call_id(),
        "type": "function",
        "function": {"name": plan.tool_call.name, "arguments": _arguments(plan)},
    }
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [call],
        "refusal": None,
        "annotations": [],
    }


def _completion(model: str, plan: ReplyPlan) -> dict[str, Any]:
    return {
        "id": chat_completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": _message(plan),
                "logprobs": None,
                "finish_reason": _finish_reason(plan),
            }
        ],
        "usage": usage_object(plan.prompt_tokens, plan.completion_tokens),
        "service_tier": "default",
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }


def _chunks(model: str, plan: ReplyPlan, include_usage: bool) -> Iterator[StreamEvent]:
    # Everything around `delta` is the same in every chunk: serialise it once.
    head = (
        b'{"id":"' + chat_completion_id().encode() + b'","object":"chat.completion.chunk",'
        b'"created":'
        + str(int(time.time())).encode()
        + b',"model":'
        + orjson.dumps(model)
        + b',"service_tier":"default","system_fingerprint":"'
        + SYSTEM_FINGERPRINT.encode()
        + b'","choices":['
    )
    tail = b',"usage":null}' if include_usage else b"}"

    def chunk(delta: Mapping[str, Any], finish: bytes = b"null") -> bytes:
        choice = b'{"index":0,"delta":' + orjson.dumps(delta) + b',"logprobs":null,'
        return sse_data(head + choice + b'"finish_reason":' + finish + b"}]" + tail)

    if plan.tool_call is None:
        yield chunk({"role": "assistant", "content": "", "refusal": None}), 0
        for piece in plan.pieces:
            yield chunk({"content": piece}), 1
    else:
        yield chunk({"role": "assistant", "content": None}), 0
        opening = {
            "index": 0,
            "id": openai_call_id(),
            "type": "function",
            "function": {"name": plan.tool_call.name, "arguments": ""},
        }
        yield chunk({"tool_calls": [opening]}), 0
        for part in fragments(_arguments(plan)):
            yield chunk({"tool_calls": [{"index": 0, "function": {"arguments": part}}]}), 1
    yield chunk({}, b'"' + _finish_reason(plan).encode() + b'"'), 0
    if include_usage:
        usage = orjson.dumps(usage_object(plan.prompt_tokens, plan.completion_tokens))
        yield sse_data(head + b'],"usage":' + usage + b"}"), 0
    yield _DONE, 0


async def chat_completions(request: web.Request) -> web.StreamResponse:
    exchange = await begin(request, OPENAI, validate=validate_chat)
    if not isinstance(exchange, Exchange):
        return exchange
    plan = plan_reply(chat_prompt(exchange.body), exchange.behaviour)
    if not exchange.stream:
        body = orjson.dumps(_completion(exchange.model, plan), option=orjson.OPT_INDENT_2)
        return json_response(body, 200, openai_headers())
    options = exchange.body.get("stream_options")
    include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
    response = web.StreamResponse(headers=openai_headers(_SSE))
    return await exchange.send_stream(response, _chunks(exchange.model, plan, include_usage))
