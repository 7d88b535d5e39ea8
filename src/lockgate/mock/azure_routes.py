"""Azure OpenAI: deployment routes (``/openai/deployments/{d}/chat/completions`` and
``/embeddings``, ``?api-version=`` required) and the v1 routes (``/openai/v1/...``).

Bodies follow the real recordings (wire-formats §2.2, §2.3): every choice carries
``content_filter_results``, the answer ``prompt_filter_results``; a stream opens with a chunk
whose ``choices`` is empty and whose only content is ``prompt_filter_results``, the role
chunk has no ``delta``, and it ends with ``data: [DONE]``. A prompt containing
``[mock-content-filter]`` gets the content-filter 400.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.azure_dialect import (
    AZURE,
    CONTENT_FILTER_MARKER,
    azure_error_body,
    azure_headers,
    content_filter_response,
)
from lockgate.mock.embedding_vectors import embedding_floats, embedding_vector
from lockgate.mock.exchange import Exchange, begin
from lockgate.mock.failures import Failure, json_response
from lockgate.mock.ids import chat_completion_id, openai_call_id
from lockgate.mock.openai_prompt import chat_prompt, usage_object
from lockgate.mock.reply import ReplyPlan, count_prompt_tokens, fragments, plan_reply
from lockgate.mock.sse import StreamEvent, sse_data

__all__ = ["azure_routes"]

_SSE = "text/event-stream; charset=utf-8"
_FINGERPRINT = "fp_efad92c60b"
_SAFE = {"filtered": False, "severity": "safe"}
_CHOICE_FILTER = {
    "hate": _SAFE,
    "protected_material_code": {"filtered": False, "detected": False},
    "protected_material_text": {"filtered": False, "detected": False},
    "self_harm": _SAFE,
    "sexual": _SAFE,
    "violence": _SAFE,
}
_DELTA_FILTER = {"hate": _SAFE, "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}
_PROMPT_FILTER = [
    {
        "prompt_index": 0,
        "content_filter_results": {
            "hate": _SAFE,
            "jailbreak": {"filtered": False, "detected": False},
            "self_harm": _SAFE,
            "sexual": _SAFE,
            "violence": _SAFE,
        },
    }
]
_MISSING_VERSION = {"error": {"code": "404", "message": "Resource not found"}}
# (request, deployment from the path or None on the v1 routes) -> response
_Handler = Callable[[web.Request, str | None], Awaitable[web.StreamResponse]]
_Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _finish(plan: ReplyPlan) -> str:
    if plan.tool_call is not None:
        return "tool_calls"
    return "stop" if plan.complete else "length"


def _message(plan: ReplyPlan) -> dict[str, Any]:
    if plan.tool_call is None:
        return {"annotations": [], "content": plan.text, "refusal": None, "role": "assistant"}
    call = {
        "function": {
            "arguments": json.dumps(plan.tool_call.arguments),
            "name": plan.tool_call.name,
        },
        "id": openai_call_id(),
        "type": "function",
    }
    return {
        "annotations": [],
        "content": None,
        "refusal": None,
        "role": "assistant",
        "tool_calls": [call],
    }


def _completion(model: str, plan: ReplyPlan) -> dict[str, Any]:
    return {
        "choices": [
            {
                "content_filter_results": _CHOICE_FILTER,
                "finish_reason": _finish(plan),
                "index": 0,
                "logprobs": None,
                "message": _message(plan),
            }
        ],
        "created": int(time.time()),
        "id": chat_completion_id(),
        "model": model,
        "object": "chat.completion",
        "prompt_filter_results": _PROMPT_FILTER,
        "system_fingerprint": _FINGERPRINT,
        "usage": usage_object(plan.prompt_tokens, plan.completion_tokens),
    }


def _chunks(model: str, plan: ReplyPlan, include_usage: bool) -> Iterator[StreamEvent]:
    completion_id, created = chat_completion_id(), int(time.time())

    def chunk(choices: list[dict[str, Any]], **more: Any) -> bytes:
        body = {
            "choices": choices,
            "created": created,
            "id": completion_id,
            "model": model,
            "object": "chat.completion.chunk",
            "system_fingerprint": _FINGERPRINT,
            **more,
        }
        return sse_data(orjson.dumps(body))

    def choice(
        delta: dict[str, Any] | None, filters: Any, finish: str | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"content_filter_results": filters}
        if delta is not None:
            out["delta"] = delta
        out.update({"finish_reason": finish, "index": 0, "logprobs": None})
        return out

    first = {
        "choices": [],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
        "prompt_filter_results": _PROMPT_FILTER,
    }
    yield sse_data(orjson.dumps(first)), 0
    yield chunk([choice(None, {})]), 0
    if plan.tool_call is None:
        for piece in plan.pieces:
            yield chunk([choice({"content": piece}, _DELTA_FILTER)]), 1
    else:
        opening = {
            "index": 0,
            "id": openai_call_id(),
            "type": "function",
            "function": {"name": plan.tool_call.name, "arguments": ""},
        }
        yield (
            chunk([choice({"role": "assistant", "content": None, "tool_calls": [opening]}, {})]),
            0,
        )
        for part in fragments(json.dumps(plan.tool_call.arguments)):
            delta = {"tool_calls": [{"index": 0, "function": {"arguments": part}}]}
            yield chunk([choice(delta, {})]), 1
    yield chunk([choice({}, {}, _finish(plan))]), 0
    if include_usage:
        yield chunk([], usage=usage_object(plan.prompt_tokens, plan.completion_tokens)), 0
    yield b"data: [DONE]\n\n", 0


async def _chat(request: web.Request, deployment: str | None) -> web.StreamResponse:
    exchange = await begin(request, AZURE, model=deployment)
    if not isinstance(exchange, Exchange):
        return exchange
    model = deployment or exchange.model
    messages = exchange.body.get("messages")
    if not isinstance(messages, list) or not messages:
        return AZURE.invalid_request("'messages' is a required property", "messages")
    prompt = chat_prompt(exchange.body)
    if CONTENT_FILTER_MARKER in prompt.last_user_text:
        return content_filter_response(model)
    plan = plan_reply(prompt, exchange.behaviour)
    if not exchange.stream:
        return json_response(orjson.dumps(_completion(model, plan)), 200, azure_headers(model))
    options = exchange.body.get("stream_options")
    include_usage = isinstance(options, dict) and bool(options.get("include_usage"))

    def error_event(_: int) -> bytes:
        failure: Failure = exchange.stream_failure()
        return b"data: " + orjson.dumps(azure_error_body(failure, model)) + b"\n\n"

    response = web.StreamResponse(headers=azure_headers(model, _SSE))
    return await exchange.send_stream(response, _chunks(model, plan, include_usage), error_event)


async def _embeddings(request: web.Request, deployment: str | None) -> web.StreamResponse:
    exchange = await begin(request, AZURE, model=deployment, stream=False)
    if not isinstance(exchange, Exchange):
        return exchange
    model = deployment or exchange.model
    raw = exchange.body.get("input")
    inputs = [raw] if isinstance(raw, str) else raw
    if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) for i in inputs):
        return AZURE.invalid_request("'input' is invalid", "input")
    dimensions = exchange.body.get("dimensions") or 1536
    data = [
        {
            "object": "embedding",
            "index": i,
            "embedding": embedding_floats(embedding_vector(t, dimensions)),
        }
        for i, t in enumerate(inputs)
    ]
    tokens = sum(count_prompt_tokens(len(t)) for t in inputs)
    payload = {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
    return json_response(orjson.dumps(payload), 200, azure_headers(model))


def _deployment_route(handler: _Handler) -> _Route:
    async def route(request: web.Request) -> web.StreamResponse:
        if not request.query.get("api-version"):
            return json_response(orjson.dumps(_MISSING_VERSION), 404, azure_headers(""))
        return await handler(request, request.match_info["deployment"])

    return route


def _v1_route(handler: _Handler) -> _Route:
    async def route(request: web.Request) -> web.StreamResponse:
        return await handler(request, None)

    return route


def azure_routes() -> list[web.RouteDef]:
    base = "/openai/deployments/{deployment}"
    return [
        web.post(base + "/chat/completions", _deployment_route(_chat)),
        web.post(base + "/embeddings", _deployment_route(_embeddings)),
        web.post("/openai/v1/chat/completions", _v1_route(_chat)),
        web.post("/openai/v1/embeddings", _v1_route(_embeddings)),
    ]
