"""Ollama's native API: ``POST /api/chat`` and ``POST /api/embed`` (wire-formats §6.3).

Streaming is the default (``"stream": false`` turns it off); a stream is NDJSON
(``application/x-ndjson``), one compact object per line, the last with ``"done": true``,
``done_reason`` and the counts and durations (nanoseconds). Tool calls arrive whole, their
arguments as objects.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.embedding_vectors import embedding_floats, embedding_vector
from lockgate.mock.exchange import Exchange, begin
from lockgate.mock.failures import json_response
from lockgate.mock.ollama_dialect import OLLAMA, ollama_headers
from lockgate.mock.openai_prompt import content_text
from lockgate.mock.reply import Prompt, ReplyPlan, ToolSpec, count_prompt_tokens, plan_reply
from lockgate.mock.sse import StreamEvent

__all__ = ["ollama_routes"]

_NDJSON = "application/x-ndjson"
# What Ollama (Go) answers when tool arguments arrive as a JSON string, not an object.
_STRING_ARGUMENTS = (
    "json: cannot unmarshal string into Go struct field ToolCallFunction.messages.tool_calls."
    "function.arguments of type api.ToolCallFunctionArguments"
)


def _validate_chat(body: dict[str, Any]) -> tuple[str, str | None] | None:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model is required", None
    messages = body.get("messages")
    if messages is not None and not isinstance(messages, list):
        return "messages must be a list", None
    for message in messages or ():
        calls = message.get("tool_calls") if isinstance(message, Mapping) else None
        for call in calls or ():
            function = call.get("function") if isinstance(call, Mapping) else None
            if not isinstance(function, Mapping) or not isinstance(function.get("arguments"), dict):
                return _STRING_ARGUMENTS, None
    return None


def _prompt(body: Mapping[str, Any]) -> Prompt:
    messages = [m for m in body.get("messages") or () if isinstance(m, Mapping)]
    chars = sum(len(content_text(m.get("content"))) for m in messages)
    last_user = next(
        (content_text(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), ""
    )
    tools = [
        ToolSpec(str(fn.get("name", "")), fn.get("parameters"))
        for t in body.get("tools") or ()
        if isinstance(t, Mapping) and isinstance(fn := t.get("function"), Mapping)
    ]
    fmt = body.get("format")
    options = body.get("options")
    num_predict = options.get("num_predict") if isinstance(options, Mapping) else None
    return Prompt(
        last_user_text=last_user,
        prompt_chars=chars,
        max_tokens=num_predict if isinstance(num_predict, int) and num_predict >= 0 else None,
        tools=tuple(tools),
        after_tool_result=bool(messages) and messages[-1].get("role") == "tool",
        json_mode=fmt is not None,
        json_schema=fmt if isinstance(fmt, Mapping) else None,
        thinking=bool(body.get("think")),
    )


def _created_at() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _final(model: str, plan: ReplyPlan, started: float) -> dict[str, Any]:
    total = max(1, int((time.perf_counter() - started) * 1e9))
    return {
        "model": model,
        "created_at": _created_at(),
        "message": {"role": "assistant", "content": ""},
        "done_reason": "stop" if plan.complete else "length",
        "done": True,
        "total_duration": total,
        "load_duration": total // 10,
        "prompt_eval_count": plan.prompt_tokens,
        "prompt_eval_duration": total // 5,
        "eval_count": plan.completion_tokens,
        "eval_duration": total // 2,
    }


def _tool_calls(plan: ReplyPlan) -> list[dict[str, Any]]:
    assert plan.tool_call is not None
    function = {"index": 0, "name": plan.tool_call.name, "arguments": plan.tool_call.arguments}
    return [{"id": "call_" + plan.tool_call.name[:8] + "0", "function": function}]


def _response(model: str, plan: ReplyPlan, started: float) -> dict[str, Any]:
    final = _final(model, plan, started)
    message: dict[str, Any] = {"role": "assistant", "content": plan.text}
    if plan.thinking_pieces:
        message["thinking"] = plan.thinking
    if plan.tool_call is not None:
        message["tool_calls"] = _tool_calls(plan)
    final["message"] = message
    return final


def _lines(model: str, plan: ReplyPlan, started: float) -> Iterator[StreamEvent]:
    def line(message: dict[str, Any], tokens: int) -> StreamEvent:
        body = {"model": model, "created_at": _created_at(), "message": message, "done": False}
        return orjson.dumps(body) + b"\n", tokens

    for piece in plan.thinking_pieces:
        yield line({"role": "assistant", "content": "", "thinking": piece}, 1)
    if plan.tool_call is not None:
        yield line({"role": "assistant", "content": "", "tool_calls": _tool_calls(plan)}, 1)
    for piece in plan.pieces:
        yield line({"role": "assistant", "content": piece}, 1)
    yield orjson.dumps(_final(model, plan, started)) + b"\n", 0


async def _chat(request: web.Request) -> web.StreamResponse:
    try:
        raw = orjson.loads(await request.read() or b"{}")
    except orjson.JSONDecodeError:
        raw = None
    streaming = not (isinstance(raw, dict) and raw.get("stream") is False)
    exchange = await begin(request, OLLAMA, validate=_validate_chat, stream=streaming)
    if not isinstance(exchange, Exchange):
        return exchange
    started = time.perf_counter()
    plan = plan_reply(_prompt(exchange.body), exchange.behaviour)
    if not exchange.stream:
        body = orjson.dumps(_response(exchange.model, plan, started))
        return json_response(body, 200, ollama_headers())
    response = web.StreamResponse(headers=ollama_headers(_NDJSON))
    return await exchange.send_stream(response, _lines(exchange.model, plan, started))


async def _embed(request: web.Request) -> web.StreamResponse:
    exchange = await begin(request, OLLAMA, stream=False)
    if not isinstance(exchange, Exchange):
        return exchange
    raw = exchange.body.get("input")
    inputs = [raw] if isinstance(raw, str) else raw
    if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) for i in inputs):
        return OLLAMA.invalid_request("invalid input type")
    dimensions = exchange.body.get("dimensions") or 384
    body = {
        "model": exchange.model,
        "embeddings": [embedding_floats(embedding_vector(t, dimensions)) for t in inputs],
        "total_duration": 14143917,
        "load_duration": 1019500,
        "prompt_eval_count": sum(count_prompt_tokens(len(t)) for t in inputs),
    }
    return json_response(orjson.dumps(body), 200, ollama_headers())


def ollama_routes() -> list[web.RouteDef]:
    return [web.post("/api/chat", _chat), web.post("/api/embed", _embed)]
