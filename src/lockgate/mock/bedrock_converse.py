"""Bedrock ``/model/{id}/converse`` and ``/converse-stream`` (wire-formats §5.2, §5.3).

The stream is AWS event-stream framing with real CRCs: ``messageStart``, text deltas on
block 0 (which, as in the recording, has no ``contentBlockStart``), a tool-use block with
``contentBlockStart`` and string input fragments, ``messageStop``, then ``metadata`` with
usage. Every payload carries the random ``p`` padding. Requests are checked the way Bedrock
checks them: a user message first, roles alternating, and a ``toolConfig`` whenever
``toolUse``/``toolResult`` blocks are present.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.bedrock_dialect import bedrock_headers, padding
from lockgate.mock.exchange import Exchange
from lockgate.mock.failures import json_response
from lockgate.mock.ids import anthropic_signature
from lockgate.mock.reply import Prompt, ReplyPlan, ToolSpec, fragments, order_tools, plan_reply
from lockgate.mock.sse import StreamEvent
from lockgate.transport.aws_eventstream import encode_message

__all__ = ["converse", "converse_prompt", "converse_stream", "validate_converse"]

_EVENTSTREAM = "application/vnd.amazon.eventstream"


def _blocks(message: Any) -> list[Mapping[str, Any]]:
    content = message.get("content") if isinstance(message, Mapping) else None
    return [b for b in content or () if isinstance(b, Mapping)]


_START_WITH_USER = (
    "A conversation must start with a user message. Try again with a conversation that starts "
    "with a user message."
)
_ALTERNATE = (
    "A conversation must alternate between user and assistant roles. Make sure the conversation "
    "alternates between user and assistant roles and try again."
)
_TOOL_CONFIG = (
    "The toolConfig field must be defined when using toolUse and toolResult content blocks."
)
_BLANK_TEXT = (
    "The text field in the ContentBlock object is blank. Add text to the text field, and try again."
)


def validate_converse(body: dict[str, Any]) -> tuple[str, str | None] | None:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "The model returned the following errors: messages: field required", None
    if not all(isinstance(m, Mapping) for m in messages) or messages[0].get("role") != "user":
        return _START_WITH_USER, None
    for before, after in itertools.pairwise(messages):
        if before.get("role") == after.get("role"):
            return _ALTERNATE, None
    blocks = [b for m in messages for b in _blocks(m)]
    if any("toolUse" in b or "toolResult" in b for b in blocks) and not body.get("toolConfig"):
        return _TOOL_CONFIG, None
    if any(isinstance(b.get("text"), str) and not b["text"].strip() for b in blocks):
        return _BLANK_TEXT, None
    return None


def _text(blocks: list[Mapping[str, Any]]) -> str:
    return "".join(str(b["text"]) for b in blocks if isinstance(b.get("text"), str))


def converse_prompt(body: Mapping[str, Any]) -> Prompt:
    messages = [m for m in body.get("messages") or () if isinstance(m, Mapping)]
    system = [b for b in body.get("system") or () if isinstance(b, Mapping)]
    chars = len(_text(system)) + sum(len(_text(_blocks(m))) for m in messages)
    last_user = next(
        (t for m in reversed(messages) if m.get("role") == "user" and (t := _text(_blocks(m)))),
        "",
    )
    config = body.get("toolConfig")
    config = config if isinstance(config, Mapping) else {}
    tools = [
        ToolSpec(str(spec.get("name", "")), (spec.get("inputSchema") or {}).get("json"))
        for t in config.get("tools") or ()
        if isinstance(t, Mapping) and isinstance(spec := t.get("toolSpec"), Mapping)
    ]
    choice = config.get("toolChoice")
    forced = choice.get("tool") if isinstance(choice, Mapping) else None
    inference = body.get("inferenceConfig")
    max_tokens = inference.get("maxTokens") if isinstance(inference, Mapping) else None
    after_tool = bool(messages) and any("toolResult" in b for b in _blocks(messages[-1]))
    extra = body.get("additionalModelRequestFields")
    thinking = extra.get("thinking") if isinstance(extra, Mapping) else None
    return Prompt(
        last_user_text=last_user,
        prompt_chars=chars,
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        tools=order_tools(tools, forced),
        after_tool_result=after_tool,
        thinking=isinstance(thinking, Mapping) and thinking.get("type") == "enabled",
    )


def _stop_reason(plan: ReplyPlan) -> str:
    if plan.tool_call is not None:
        return "tool_use"
    return "end_turn" if plan.complete else "max_tokens"


def _tool_use_id() -> str:
    return "tooluse_" + padding()[:22].ljust(22, "x")


def _usage(plan: ReplyPlan) -> dict[str, int]:
    return {
        "inputTokens": plan.prompt_tokens,
        "outputTokens": plan.completion_tokens,
        "totalTokens": plan.prompt_tokens + plan.completion_tokens,
    }


def _response(plan: ReplyPlan, latency_ms: int) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if plan.thinking_pieces:
        reasoning = {"text": plan.thinking, "signature": anthropic_signature(plan.thinking)}
        content.append({"reasoningContent": {"reasoningText": reasoning}})
    if plan.text:
        content.append({"text": plan.text})
    if plan.tool_call is not None:
        content.append(
            {
                "toolUse": {
                    "input": plan.tool_call.arguments,
                    "name": plan.tool_call.name,
                    "toolUseId": _tool_use_id(),
                }
            }
        )
    return {
        "metrics": {"latencyMs": latency_ms},
        "output": {"message": {"content": content, "role": "assistant"}},
        "stopReason": _stop_reason(plan),
        "usage": _usage(plan),
    }


def _frame(event_type: str, payload: dict[str, Any]) -> bytes:
    headers = {
        ":event-type": event_type,
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return encode_message(headers, orjson.dumps({**payload, "p": padding()}))


def _frames(plan: ReplyPlan, latency_ms: int) -> Iterator[StreamEvent]:
    yield _frame("messageStart", {"role": "assistant"}), 0
    block = 0
    if plan.thinking_pieces:
        for piece in plan.thinking_pieces:
            reasoning = {"reasoningContent": {"text": piece}}
            yield _frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": reasoning}), 1
        signature = {"reasoningContent": {"signature": anthropic_signature(plan.thinking)}}
        yield _frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": signature}), 0
        yield _frame("contentBlockStop", {"contentBlockIndex": 0}), 0
        block = 1
    if plan.pieces:
        for piece in plan.pieces:
            text = {"text": piece}
            yield _frame("contentBlockDelta", {"contentBlockIndex": block, "delta": text}), 1
        yield _frame("contentBlockStop", {"contentBlockIndex": block}), 0
        block += 1
    if plan.tool_call is not None:
        start = {"toolUse": {"name": plan.tool_call.name, "toolUseId": _tool_use_id()}}
        yield _frame("contentBlockStart", {"contentBlockIndex": block, "start": start}), 0
        yield (
            _frame(
                "contentBlockDelta",
                {"contentBlockIndex": block, "delta": {"toolUse": {"input": ""}}},
            ),
            0,
        )
        for part in fragments(json.dumps(plan.tool_call.arguments)):
            delta = {"toolUse": {"input": part}}
            yield _frame("contentBlockDelta", {"contentBlockIndex": block, "delta": delta}), 1
        yield _frame("contentBlockStop", {"contentBlockIndex": block}), 0
    yield _frame("messageStop", {"stopReason": _stop_reason(plan)}), 0
    metadata = {"metrics": {"latencyMs": latency_ms}, "usage": _usage(plan)}
    yield _frame("metadata", metadata), 0


def _latency(exchange: Exchange) -> int:
    return int(exchange.behaviour.latency_ms or 0) + 1


async def converse(exchange: Exchange) -> web.StreamResponse:
    plan = plan_reply(converse_prompt(exchange.body), exchange.behaviour)
    body = _response(plan, _latency(exchange))
    return json_response(orjson.dumps(body), 200, bedrock_headers())


async def converse_stream(exchange: Exchange) -> web.StreamResponse:
    plan = plan_reply(converse_prompt(exchange.body), exchange.behaviour)
    response = web.StreamResponse(headers=bedrock_headers(_EVENTSTREAM))
    return await exchange.send_stream(response, _frames(plan, _latency(exchange)))
