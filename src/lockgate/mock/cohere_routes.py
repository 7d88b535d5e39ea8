"""Cohere v2: ``POST /v2/chat`` (JSON or SSE stream), ``/v2/embed`` and ``/v2/rerank``.

Bodies follow the recordings (wire-formats §6.1): content as typed parts, ``tool_plan`` and
``tool_calls`` with JSON-string arguments, usage with ``billed_units``, ``tokens`` and
``cached_tokens``. The stream is ``event: <type>`` + ``data: <json>`` events from
``message-start`` to ``message-end``, followed by the trailing ``data: [DONE]`` seen on the
wire.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.cohere_dialect import COHERE, cohere_headers
from lockgate.mock.embedding_vectors import embedding_floats, embedding_vector
from lockgate.mock.exchange import Exchange, begin
from lockgate.mock.failures import json_response
from lockgate.mock.openai_prompt import content_text
from lockgate.mock.reply import (
    Prompt,
    ReplyPlan,
    ToolSpec,
    count_prompt_tokens,
    fragments,
    plan_reply,
)
from lockgate.mock.rerank_scores import rerank_results
from lockgate.mock.sse import StreamEvent, named_event

__all__ = ["cohere_routes"]

# Cohere adds its own preamble: the raw token counts exceed the billed ones.
_PREAMBLE_TOKENS = 495


def _validate_chat(body: dict[str, Any]) -> tuple[str, str | None] | None:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "invalid request: model must be a non-empty string", None
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "invalid request: messages must be a non-empty list", None
    for message in messages:
        if not isinstance(message, Mapping) or message.get("role") not in (
            "system",
            "user",
            "assistant",
            "tool",
        ):
            return "invalid request: role must be one of system, user, assistant, tool", None
        if (
            message.get("role") == "assistant"
            and not message.get("content")
            and not message.get("tool_calls")
        ):
            return "invalid request: assistant message must have content or tool_calls", None
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
    if body.get("tool_choice") == "NONE":
        tools = []
    response_format = body.get("response_format")
    json_mode = (
        isinstance(response_format, Mapping) and response_format.get("type") == "json_object"
    )
    schema = response_format.get("json_schema") if isinstance(response_format, Mapping) else None
    max_tokens = body.get("max_tokens")
    thinking = body.get("thinking")
    return Prompt(
        last_user_text=last_user,
        prompt_chars=chars,
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        tools=tuple(tools),
        after_tool_result=bool(messages) and messages[-1].get("role") == "tool",
        json_mode=json_mode,
        json_schema=schema if isinstance(schema, Mapping) else None,
        thinking=isinstance(thinking, Mapping) and thinking.get("type") == "enabled",
    )


def _finish(plan: ReplyPlan) -> str:
    if plan.tool_call is not None:
        return "TOOL_CALL"
    return "COMPLETE" if plan.complete else "MAX_TOKENS"


def _usage(plan: ReplyPlan) -> dict[str, Any]:
    return {
        "billed_units": {
            "input_tokens": plan.prompt_tokens,
            "output_tokens": plan.completion_tokens,
        },
        "tokens": {
            "input_tokens": plan.prompt_tokens + _PREAMBLE_TOKENS,
            "output_tokens": plan.completion_tokens + 3,
        },
        "cached_tokens": 0,
    }


def _call_id(name: str) -> str:
    return f"{name}_{uuid.uuid4().hex[:12]}"


def _plan_text(plan: ReplyPlan) -> str:
    assert plan.tool_call is not None
    return f"I will use the {plan.tool_call.name} tool."


def _response(plan: ReplyPlan) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant"}
    if plan.tool_call is not None:
        message["tool_plan"] = _plan_text(plan)
        message["tool_calls"] = [
            {
                "id": _call_id(plan.tool_call.name),
                "type": "function",
                "function": {
                    "name": plan.tool_call.name,
                    "arguments": json.dumps(plan.tool_call.arguments, separators=(",", ":")),
                },
            }
        ]
    else:
        message["content"] = [{"type": "text", "text": plan.text}]
    if plan.thinking_pieces:
        thinking = {"type": "thinking", "thinking": plan.thinking}
        message["content"] = [thinking, *message.get("content", [])]
    return {
        "id": str(uuid.uuid4()),
        "message": message,
        "finish_reason": _finish(plan),
        "usage": _usage(plan),
    }


def _content_events(kind: str, index: int, pieces: tuple[str, ...]) -> Iterator[StreamEvent]:
    """``content-start``, one ``content-delta`` per piece, ``content-end`` (text or thinking)."""
    opening = {"message": {"content": {"type": kind, kind: ""}}}
    yield _event({"type": "content-start", "index": index, "delta": opening})
    for piece in pieces:
        delta = {"message": {"content": {kind: piece}}}
        yield _event({"type": "content-delta", "index": index, "delta": delta}, 1)
    yield _event({"type": "content-end", "index": index})


def _event(payload: dict[str, Any], tokens: int = 0) -> StreamEvent:
    return named_event(str(payload["type"]).encode(), orjson.dumps(payload)), tokens


def _events(plan: ReplyPlan) -> Iterator[StreamEvent]:
    start = {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}
    yield _event({"id": str(uuid.uuid4()), "type": "message-start", "delta": {"message": start}})
    index = 0
    if plan.thinking_pieces:
        yield from _content_events("thinking", 0, plan.thinking_pieces)
        index = 1
    if plan.tool_call is None:
        yield from _content_events("text", index, plan.pieces)
    else:
        for word in _plan_text(plan).split(" "):
            yield _event({"type": "tool-plan-delta", "delta": {"message": {"tool_plan": word}}})
        call = {
            "id": _call_id(plan.tool_call.name),
            "type": "function",
            "function": {"name": plan.tool_call.name, "arguments": ""},
        }
        opening = {"message": {"tool_calls": call}}
        yield _event({"type": "tool-call-start", "index": 0, "delta": opening})
        for part in fragments(json.dumps(plan.tool_call.arguments)):
            fragment = {"message": {"tool_calls": {"function": {"arguments": part}}}}
            yield _event({"type": "tool-call-delta", "index": 0, "delta": fragment}, 1)
        yield _event({"type": "tool-call-end", "index": 0})
    end = {"finish_reason": _finish(plan), "usage": _usage(plan)}
    yield _event({"type": "message-end", "delta": end})
    yield b"data: [DONE]\n\n", 0


async def _chat(request: web.Request) -> web.StreamResponse:
    exchange = await begin(request, COHERE, validate=_validate_chat)
    if not isinstance(exchange, Exchange):
        return exchange
    plan = plan_reply(_prompt(exchange.body), exchange.behaviour)
    if not exchange.stream:
        return json_response(orjson.dumps(_response(plan)), 200, cohere_headers())
    response = web.StreamResponse(headers=cohere_headers("text/event-stream"))
    return await exchange.send_stream(response, _events(plan))


async def _embed(request: web.Request) -> web.StreamResponse:
    exchange = await begin(request, COHERE, stream=False)
    if not isinstance(exchange, Exchange):
        return exchange
    texts = exchange.body.get("texts")
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        return COHERE.invalid_request("invalid request: texts must be a non-empty list of strings")
    if not exchange.body.get("input_type"):
        return COHERE.invalid_request(
            "invalid request: input_type is required for embed v3 models and later"
        )
    dimensions = exchange.body.get("output_dimension") or 1024
    vectors = [embedding_floats(embedding_vector(t, dimensions)) for t in texts]
    tokens = sum(count_prompt_tokens(len(t)) for t in texts)
    body = {
        "id": str(uuid.uuid4()),
        "embeddings": {"float": vectors},
        "texts": texts,
        "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": tokens}},
        "response_type": "embeddings_by_type",
    }
    return json_response(orjson.dumps(body), 200, cohere_headers())


async def _rerank(request: web.Request) -> web.StreamResponse:
    exchange = await begin(request, COHERE, stream=False)
    if not isinstance(exchange, Exchange):
        return exchange
    query, documents = exchange.body.get("query"), exchange.body.get("documents")
    if (
        not isinstance(query, str)
        or not isinstance(documents, list)
        or not all(isinstance(d, str) for d in documents)
    ):
        return COHERE.invalid_request(
            "invalid request: query and a list of string documents are required"
        )
    top_n = exchange.body.get("top_n")
    body = {
        "id": str(uuid.uuid4()),
        "results": rerank_results(query, documents, top_n if isinstance(top_n, int) else None),
        "meta": {"api_version": {"version": "2"}, "billed_units": {"search_units": 1}},
    }
    return json_response(orjson.dumps(body), 200, cohere_headers())


def cohere_routes() -> list[web.RouteDef]:
    return [
        web.post("/v2/chat", _chat),
        web.post("/v2/embed", _embed),
        web.post("/v2/rerank", _rerank),
    ]
