"""`POST /v1/messages` (non-stream and stream) and `/v1/messages/count_tokens` (§3.2, §3.3).

Tools in the request give a `tool_use` block (streamed as `input_json_delta` fragments);
`thinking` in the request gives a thinking block first (`thinking_delta`, `signature_delta`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.anthropic_dialect import ANTHROPIC, anthropic_headers
from lockgate.mock.exchange import Exchange, begin
from lockgate.mock.failures import json_response
from lockgate.mock.ids import anthropic_message_id, anthropic_signature, anthropic_tool_use_id
from lockgate.mock.reply import (
    Prompt,
    ReplyPlan,
    ToolSpec,
    count_prompt_tokens,
    fragments,
    order_tools,
    plan_reply,
)
from lockgate.mock.sse import StreamEvent, named_event

__all__ = ["count_tokens", "messages", "messages_prompt"]

_SSE = "text/event-stream; charset=utf-8"
_PING = named_event(b"ping", b'{"type": "ping"}')
_CACHE_CREATION = {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}


def _block_text(content: Any, tool_results: bool = True) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts: list[str] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            texts.append(str(block.get("text", "")))
        elif tool_results and block.get("type") == "tool_result":
            texts.append(_block_text(block.get("content")))
    return "".join(texts)


def _ends_with_tool_result(message: Mapping[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in content
    )


def messages_prompt(body: Mapping[str, Any]) -> Prompt:
    msgs = [m for m in body.get("messages") or () if isinstance(m, dict)]
    chars = len(_block_text(body.get("system"))) + sum(
        len(_block_text(m.get("content"))) for m in msgs
    )
    user_texts = (
        _block_text(m.get("content"), tool_results=False)
        for m in reversed(msgs)
        if m.get("role") == "user"
    )
    # Client tools only: server tools (web_search_..., code_execution_...) carry a dated type.
    tools = [
        ToolSpec(str(t.get("name", "")), t.get("input_schema"))
        for t in body.get("tools") or ()
        if isinstance(t, dict) and t.get("type", "custom") == "custom"
    ]
    thinking = body.get("thinking")
    max_tokens = body.get("max_tokens")
    return Prompt(
        last_user_text=next((t for t in user_texts if t), ""),
        prompt_chars=chars,
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        tools=order_tools(tools, body.get("tool_choice")),
        after_tool_result=bool(msgs) and _ends_with_tool_result(msgs[-1]),
        thinking=isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive"),
    )


def _validate_messages(body: dict[str, Any]) -> tuple[str, str | None] | None:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required", None
    msgs = body.get("messages")
    if not isinstance(msgs, list):
        return "messages: Field required", None
    for index, message in enumerate(msgs):
        role = message.get("role") if isinstance(message, dict) else None
        if role == "system":
            return (
                'messages: Unexpected role "system". The Messages API accepts a top-level '
                '`system` parameter, not "system" as an input message role.',
                None,
            )
        if role not in ("user", "assistant"):
            return f"messages.{index}.role: Input should be 'user' or 'assistant'", None
    return None


def _validate(body: dict[str, Any]) -> tuple[str, str | None] | None:
    problem = _validate_messages(body)
    if problem is None and not isinstance(body.get("max_tokens"), int):
        return "max_tokens: Field required", None
    return problem


def _stop_reason(plan: ReplyPlan) -> str:
    if plan.tool_call is not None:
        return "tool_use"
    return "end_turn" if plan.complete else "max_tokens"


def _usage(plan: ReplyPlan, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": plan.prompt_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": dict(_CACHE_CREATION),
        "output_tokens": output_tokens,
        "service_tier": "standard",
        "inference_geo": "not_available",
    }


@dataclass(frozen=True, slots=True)
class _Ids:
    message: str
    tool_use: str
    signature: str


def _content(plan: ReplyPlan, ids: _Ids) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if plan.thinking_pieces:
        blocks.append({"type": "thinking", "thinking": plan.thinking, "signature": ids.signature})
    if plan.tool_call is not None:
        call = plan.tool_call
        blocks.append(
            {
                "type": "tool_use",
                "id": ids.tool_use,
                "name": call.name,
                "input": call.arguments,
                "caller": {"type": "direct"},
            }
        )
    else:
        blocks.append({"type": "text", "text": plan.text})
    return blocks


def _message(model: str, plan: ReplyPlan, ids: _Ids) -> dict[str, Any]:
    return {
        "model": model,
        "id": ids.message,
        "type": "message",
        "role": "assistant",
        "content": _content(plan, ids),
        "stop_reason": _stop_reason(plan),
        "stop_sequence": None,
        "stop_details": None,
        "usage": _usage(plan, plan.completion_tokens),
    }


def _event(payload: dict[str, Any]) -> bytes:
    return named_event(str(payload["type"]).encode(), orjson.dumps(payload))


def _delta(index: int, delta: dict[str, Any]) -> bytes:
    return _event({"type": "content_block_delta", "index": index, "delta": delta})


def _events(model: str, plan: ReplyPlan, ids: _Ids) -> Iterator[StreamEvent]:
    start: dict[str, Any] = {
        "model": model,
        "id": ids.message,
        "type": "message",
        "role": "assistant",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": _usage(plan, 1),
    }
    yield _event({"type": "message_start", "message": start}), 0
    index = 0
    block: dict[str, Any]
    if plan.thinking_pieces:
        block = {"type": "thinking", "thinking": "", "signature": ""}
        yield _event({"type": "content_block_start", "index": 0, "content_block": block}), 0
        yield _PING, 0
        for piece in plan.thinking_pieces:
            yield _delta(0, {"type": "thinking_delta", "thinking": piece}), 1
        yield _delta(0, {"type": "signature_delta", "signature": ids.signature}), 0
        yield _event({"type": "content_block_stop", "index": 0}), 0
        index = 1
    if plan.tool_call is not None:
        block = {
            "type": "tool_use",
            "id": ids.tool_use,
            "name": plan.tool_call.name,
            "caller": {"type": "direct"},
            "input": {},
        }
        yield _event({"type": "content_block_start", "index": index, "content_block": block}), 0
        if index == 0:
            yield _PING, 0
        yield _delta(index, {"type": "input_json_delta", "partial_json": ""}), 0
        for part in fragments(json.dumps(plan.tool_call.arguments)):
            yield _delta(index, {"type": "input_json_delta", "partial_json": part}), 1
    else:
        block = {"type": "text", "text": ""}
        yield _event({"type": "content_block_start", "index": index, "content_block": block}), 0
        if index == 0:
            yield _PING, 0
        for piece in plan.pieces:
            yield _delta(index, {"type": "text_delta", "text": piece}), 1
    yield _event({"type": "content_block_stop", "index": index}), 0
    usage = {
        "input_tokens": plan.prompt_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": plan.completion_tokens,
    }
    delta = {"stop_reason": _stop_reason(plan), "stop_sequence": None}
    yield _event({"type": "message_delta", "delta": delta, "usage": usage}), 0
    yield _event({"type": "message_stop"}), 0


async def messages(request: web.Request) -> web.StreamResponse:
    exchange = await begin(request, ANTHROPIC, validate=_validate)
    if not isinstance(exchange, Exchange):
        return exchange
    plan = plan_reply(messages_prompt(exchange.body), exchange.behaviour)
    ids = _Ids(anthropic_message_id(), anthropic_tool_use_id(), anthropic_signature(exchange.model))
    if not exchange.stream:
        body = orjson.dumps(_message(exchange.model, plan, ids))
        return json_response(body, 200, anthropic_headers())
    response = web.StreamResponse(headers=anthropic_headers(_SSE))
    response.headers["cache-control"] = "no-cache"
    return await exchange.send_stream(response, _events(exchange.model, plan, ids))


async def count_tokens(request: web.Request) -> web.StreamResponse:
    # Token counting is not a generation: it never consumes a queued script entry.
    exchange = await begin(
        request, ANTHROPIC, validate=_validate_messages, stream=False, consume_script=False
    )
    if not isinstance(exchange, Exchange):
        return exchange
    tokens = count_prompt_tokens(messages_prompt(exchange.body).prompt_chars)
    if exchange.behaviour.usage is not None:
        tokens = exchange.behaviour.usage[0]
    return json_response(orjson.dumps({"input_tokens": tokens}), 200, anthropic_headers())
