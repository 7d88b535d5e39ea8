"""`POST /v1/completions`: the legacy text-completion API, non-stream and stream.

No verbatim recording exists in wire-formats.md; the shape follows recordings quoted in public
test suites (`choices` before `model` in stream chunks, `[DONE]` terminator).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.exchange import Exchange, begin
from lockgate.mock.failures import json_response
from lockgate.mock.ids import text_completion_id
from lockgate.mock.openai_dialect import OPENAI, openai_headers
from lockgate.mock.openai_prompt import completion_prompt
from lockgate.mock.reply import ReplyPlan, plan_reply
from lockgate.mock.sse import StreamEvent, sse_data

__all__ = ["completions"]

_SSE = "text/event-stream; charset=utf-8"


def _validate(body: dict[str, Any]) -> tuple[str, str | None] | None:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter", None
    if body.get("prompt") is None:
        return "Missing required parameter: 'prompt'.", "prompt"
    return None


def _usage(plan: ReplyPlan) -> dict[str, int]:
    return {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": plan.completion_tokens,
        "total_tokens": plan.prompt_tokens + plan.completion_tokens,
    }


def _finish(plan: ReplyPlan) -> str:
    return "stop" if plan.complete else "length"


def _chunks(model: str, plan: ReplyPlan, include_usage: bool) -> Iterator[StreamEvent]:
    head = (
        b'{"id":"'
        + text_completion_id().encode()
        + b'","object":"text_completion","created":'
        + str(int(time.time())).encode()
        + b',"choices":['
    )
    tail = b'],"model":' + orjson.dumps(model) + b"}"
    for piece in plan.pieces:
        choice = {"text": piece, "index": 0, "logprobs": None, "finish_reason": None}
        yield sse_data(head + orjson.dumps(choice) + tail), 1
    last = {"text": "", "index": 0, "logprobs": None, "finish_reason": _finish(plan)}
    yield sse_data(head + orjson.dumps(last) + tail), 0
    if include_usage:
        usage = b',"usage":' + orjson.dumps(_usage(plan)) + b"}"
        yield sse_data(head + tail[:-1] + usage), 0
    yield b"data: [DONE]\n\n", 0


async def completions(request: web.Request) -> web.StreamResponse:
    exchange = await begin(request, OPENAI, validate=_validate)
    if not isinstance(exchange, Exchange):
        return exchange
    plan = plan_reply(completion_prompt(exchange.body), exchange.behaviour)
    if not exchange.stream:
        body = {
            "id": text_completion_id(),
            "object": "text_completion",
            "created": int(time.time()),
            "model": exchange.model,
            "choices": [
                {"text": plan.text, "index": 0, "logprobs": None, "finish_reason": _finish(plan)}
            ],
            "usage": _usage(plan),
        }
        return json_response(orjson.dumps(body, option=orjson.OPT_INDENT_2), 200, openai_headers())
    options = exchange.body.get("stream_options")
    include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
    response = web.StreamResponse(headers=openai_headers(_SSE))
    return await exchange.send_stream(response, _chunks(exchange.model, plan, include_usage))
