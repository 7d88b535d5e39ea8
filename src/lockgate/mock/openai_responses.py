"""`POST /v1/responses`: the Responses API, non-stream and its named-event stream (§1.2).

The stream carries `event:` lines and a `sequence_number` from 0, and ends with
`response.completed` (or `response.incomplete` when max_output_tokens cut it short): no `[DONE]`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.exchange import Exchange, begin
from lockgate.mock.failures import json_response
from lockgate.mock.ids import openai_call_id, responses_id
from lockgate.mock.openai_dialect import OPENAI, openai_error_body, openai_headers
from lockgate.mock.openai_prompt import responses_prompt
from lockgate.mock.reply import ReplyPlan, fragments, plan_reply
from lockgate.mock.sse import StreamEvent, named_event

__all__ = ["responses"]

_SSE = "text/event-stream; charset=utf-8"


def _validate(body: dict[str, Any]) -> tuple[str, str | None] | None:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "Missing required parameter: 'model'.", "model"
    return None


def _echo_tools(tools: Any) -> list[Any]:
    echoed: list[Any] = []
    for tool in tools if isinstance(tools, list) else ():
        if isinstance(tool, dict) and tool.get("type") == "function":
            tool = {**tool, "strict": tool.get("strict", True)}
        echoed.append(tool)
    return echoed


@dataclass(frozen=True, slots=True)
class _Reply:
    """One response being built: ids fixed up front so stream and final object agree."""

    body: dict[str, Any]
    model: str
    plan: ReplyPlan
    response_id: str
    item_id: str
    call_id: str
    created_at: int

    @property
    def arguments(self) -> str:
        assert self.plan.tool_call is not None
        return orjson.dumps(self.plan.tool_call.arguments).decode()

    def item(self, done: bool) -> dict[str, Any]:
        if self.plan.tool_call is not None:
            return {
                "id": self.item_id,
                "type": "function_call",
                "status": "completed" if done else "in_progress",
                "arguments": self.arguments if done else "",
                "call_id": self.call_id,
                "name": self.plan.tool_call.name,
            }
        status = "in_progress"
        if done:
            status = "completed" if self.plan.complete else "incomplete"
        return {
            "id": self.item_id,
            "type": "message",
            "status": status,
            "content": [self.part(self.plan.text)] if done else [],
            "role": "assistant",
        }

    @staticmethod
    def part(text: str) -> dict[str, Any]:
        return {"type": "output_text", "annotations": [], "logprobs": [], "text": text}

    def usage(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "input_tokens": plan.prompt_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": plan.completion_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": plan.prompt_tokens + plan.completion_tokens,
        }

    def response(self, status: str, error: dict[str, Any] | None = None) -> dict[str, Any]:
        body, finished = self.body, status in ("completed", "incomplete")
        text_options = body.get("text")
        text_format = text_options.get("format") if isinstance(text_options, dict) else None
        reasoning = body.get("reasoning")
        effort = reasoning.get("effort") if isinstance(reasoning, dict) else None
        return {
            "id": self.response_id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "background": bool(body.get("background", False)),
            "error": error,
            "incomplete_details": {"reason": "max_output_tokens"}
            if status == "incomplete"
            else None,
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "max_tool_calls": body.get("max_tool_calls"),
            "model": self.model,
            "output": [self.item(done=True)] if finished else [],
            "parallel_tool_calls": body.get("parallel_tool_calls", True),
            "previous_response_id": body.get("previous_response_id"),
            "reasoning": {"effort": effort, "summary": None},
            "service_tier": "default" if finished else "auto",
            "store": body.get("store", True),
            "temperature": body.get("temperature", 1.0),
            "text": {"format": text_format or {"type": "text"}},
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": _echo_tools(body.get("tools")),
            "top_logprobs": body.get("top_logprobs", 0),
            "top_p": body.get("top_p", 1.0),
            "truncation": body.get("truncation", "disabled"),
            "usage": self.usage() if finished else None,
            "user": body.get("user"),
            "metadata": body.get("metadata") or {},
        }

    @property
    def final_status(self) -> str:
        return "completed" if self.plan.complete else "incomplete"


def _event(sequence: int, type_: str, fields: dict[str, Any]) -> bytes:
    payload = {"type": type_, "sequence_number": sequence, **fields}
    return named_event(type_.encode(), orjson.dumps(payload))


def _events(reply: _Reply) -> Iterator[StreamEvent]:
    out: list[tuple[str, dict[str, Any], int]] = [
        ("response.created", {"response": reply.response("in_progress")}, 0),
        ("response.in_progress", {"response": reply.response("in_progress")}, 0),
        ("response.output_item.added", {"output_index": 0, "item": reply.item(done=False)}, 0),
    ]
    ids = {"item_id": reply.item_id, "output_index": 0}
    if reply.plan.tool_call is not None:
        for part in fragments(reply.arguments):
            out.append(("response.function_call_arguments.delta", {**ids, "delta": part}, 1))
        done = {**ids, "arguments": reply.arguments}
        out.append(("response.function_call_arguments.done", done, 0))
    else:
        at = {**ids, "content_index": 0}
        out.append(("response.content_part.added", {**at, "part": reply.part("")}, 0))
        for piece in reply.plan.pieces:
            out.append(("response.output_text.delta", {**at, "delta": piece, "logprobs": []}, 1))
        text = reply.plan.text
        out.append(("response.output_text.done", {**at, "text": text, "logprobs": []}, 0))
        out.append(("response.content_part.done", {**at, "part": reply.part(text)}, 0))
    out.append(("response.output_item.done", {"output_index": 0, "item": reply.item(done=True)}, 0))
    final = reply.final_status
    out.append((f"response.{final}", {"response": reply.response(final)}, 0))
    for sequence, (type_, fields, tokens) in enumerate(out):
        yield _event(sequence, type_, fields), tokens


async def responses(request: web.Request) -> web.StreamResponse:
    exchange = await begin(request, OPENAI, validate=_validate)
    if not isinstance(exchange, Exchange):
        return exchange
    plan = plan_reply(responses_prompt(exchange.body), exchange.behaviour)
    reply = _Reply(
        body=exchange.body,
        model=exchange.model,
        plan=plan,
        response_id=responses_id("resp"),
        item_id=responses_id("msg" if plan.tool_call is None else "fc"),
        call_id=openai_call_id(),
        created_at=int(time.time()),
    )
    if not exchange.stream:
        body = orjson.dumps(reply.response(reply.final_status), option=orjson.OPT_INDENT_2)
        return json_response(body, 200, openai_headers())

    def error_events(sequence: int) -> bytes:
        # The real in-stream failure: an `error` event (nested error) then `response.failed`.
        error = openai_error_body(exchange.stream_failure(), exchange.model)["error"]
        nested = {"type": error["type"], "code": error["code"], "message": error["message"]}
        nested["param"] = None
        failed = reply.response("failed", {"code": error["code"], "message": error["message"]})
        return _event(sequence, "error", {"error": nested}) + _event(
            sequence + 1, "response.failed", {"response": failed}
        )

    response = web.StreamResponse(headers=openai_headers(_SSE))
    return await exchange.send_stream(response, _events(reply), error_events)
