"""Gemini `:generateContent` and `:streamGenerateContent` (§4.2, §4.4).

With `?alt=sse` the stream is `data: <json>` events separated by CRLF CRLF, no `[DONE]`, the
last chunk carrying `finishReason`; without it, one JSON array streamed element by element.
Function calls arrive whole in one chunk, followed by an empty-text chunk with the finish.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.exchange import Exchange
from lockgate.mock.failures import json_response
from lockgate.mock.gemini_dialect import gemini_error_body, gemini_headers, google_json
from lockgate.mock.ids import gemini_response_id
from lockgate.mock.reply import Prompt, ReplyPlan, ToolSpec, order_tools, plan_reply
from lockgate.mock.sse import StreamEvent, gemini_data

__all__ = ["contents_prompt", "generate_content", "stream_generate_content", "validate_contents"]

_PIECES_PER_CHUNK = 4


def _parts_text(parts: Any) -> str:
    if not isinstance(parts, list):
        return ""
    return "".join(str(p.get("text", "")) for p in parts if isinstance(p, dict))


def _contents(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in body.get("contents") or () if isinstance(c, dict)]


def validate_contents(body: dict[str, Any]) -> tuple[str, str | None] | None:
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        return "* GenerateContentRequest.contents: contents is not specified\n", None
    for content in contents:
        role = content.get("role", "user") if isinstance(content, dict) else None
        if role not in ("user", "model"):
            return "Please use a valid role: user, model.", None
    return None


def _tool_specs(body: Mapping[str, Any]) -> tuple[ToolSpec, ...]:
    specs: list[ToolSpec] = []
    for tool in body.get("tools") or ():
        declarations = tool.get("functionDeclarations") if isinstance(tool, dict) else None
        for fn in declarations or ():
            if isinstance(fn, dict):
                schema = fn.get("parameters") or fn.get("parametersJsonSchema")
                specs.append(ToolSpec(str(fn.get("name", "")), schema))
    config = body.get("toolConfig")
    calling = config.get("functionCallingConfig") if isinstance(config, dict) else None
    if not isinstance(calling, dict):
        return tuple(specs)
    if calling.get("mode") == "NONE":
        return ()
    allowed = calling.get("allowedFunctionNames")
    choice = {"name": allowed[0]} if isinstance(allowed, list) and allowed else None
    return order_tools(specs, choice)


def contents_prompt(body: Mapping[str, Any]) -> Prompt:
    contents = _contents(body)
    system = body.get("systemInstruction")
    chars = len(_parts_text(system.get("parts"))) if isinstance(system, dict) else 0
    chars += sum(len(_parts_text(c.get("parts"))) for c in contents)
    last_user = next(
        (
            text
            for c in reversed(contents)
            if c.get("role", "user") == "user" and (text := _parts_text(c.get("parts")))
        ),
        "",
    )
    last_parts = contents[-1].get("parts") if contents else None
    after_tool = isinstance(last_parts, list) and any(
        isinstance(p, dict) and "functionResponse" in p for p in last_parts
    )
    config = body.get("generationConfig")
    config = config if isinstance(config, dict) else {}
    schema = config.get("responseSchema") or config.get("responseJsonSchema")
    max_tokens = config.get("maxOutputTokens")
    return Prompt(
        last_user_text=last_user,
        prompt_chars=chars,
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        tools=_tool_specs(body),
        after_tool_result=after_tool,
        json_mode=config.get("responseMimeType") == "application/json",
        json_schema=schema if isinstance(schema, dict) else None,
    )


def _usage(plan: ReplyPlan, candidates: int) -> dict[str, Any]:
    return {
        "promptTokenCount": plan.prompt_tokens,
        "candidatesTokenCount": candidates,
        "totalTokenCount": plan.prompt_tokens + candidates,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": plan.prompt_tokens}],
    }


def _chunk(
    model: str, response_id: str, parts: list[dict[str, Any]], finish: str | None, usage: Any
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}}
    if finish is not None:
        candidate["finishReason"] = finish
    candidate["index"] = 0
    return {
        "candidates": [candidate],
        "usageMetadata": usage,
        "modelVersion": model,
        "responseId": response_id,
    }


def _finish(plan: ReplyPlan) -> str:
    return "STOP" if plan.complete else "MAX_TOKENS"


def _response(model: str, plan: ReplyPlan) -> dict[str, Any]:
    if plan.tool_call is not None:
        call = {"name": plan.tool_call.name, "args": plan.tool_call.arguments}
        parts: list[dict[str, Any]] = [{"functionCall": call}]
    else:
        parts = [{"text": plan.text}]
    usage = _usage(plan, plan.completion_tokens)
    return _chunk(model, gemini_response_id(), parts, _finish(plan), usage)


def _stream_chunks(model: str, plan: ReplyPlan) -> Iterator[tuple[dict[str, Any], int]]:
    response_id = gemini_response_id()
    if plan.tool_call is not None:
        usage = _usage(plan, plan.completion_tokens)
        call = {"name": plan.tool_call.name, "args": plan.tool_call.arguments}
        yield _chunk(model, response_id, [{"functionCall": call}], None, usage), 1
        yield _chunk(model, response_id, [{"text": ""}], "STOP", usage), 0
        return
    pieces = plan.pieces
    groups = [pieces[i : i + _PIECES_PER_CHUNK] for i in range(0, len(pieces), _PIECES_PER_CHUNK)]
    if not groups:
        groups = [()]
    sent = 0
    for number, group in enumerate(groups, start=1):
        sent += len(group)
        last = number == len(groups)
        # Running totals; the last chunk reports the (possibly scripted) final count.
        usage = _usage(plan, plan.completion_tokens if last else sent)
        finish = _finish(plan) if last else None
        yield _chunk(model, response_id, [{"text": "".join(group)}], finish, usage), len(group)


def _pretty(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2)


def _sse_events(model: str, plan: ReplyPlan) -> Iterator[StreamEvent]:
    for chunk, tokens in _stream_chunks(model, plan):
        yield gemini_data(google_json(chunk)), tokens


def _array_events(model: str, plan: ReplyPlan) -> Iterator[StreamEvent]:
    separator = b"["
    for chunk, tokens in _stream_chunks(model, plan):
        yield separator + _pretty(chunk), tokens
        separator = b"\n,\r\n"
    yield b"]", 0


async def generate_content(exchange: Exchange) -> web.StreamResponse:
    plan = plan_reply(contents_prompt(exchange.body), exchange.behaviour)
    body = _pretty(_response(exchange.model, plan)) + b"\n"
    return json_response(body, 200, gemini_headers())


async def stream_generate_content(exchange: Exchange) -> web.StreamResponse:
    plan = plan_reply(contents_prompt(exchange.body), exchange.behaviour)
    if exchange.request.query.get("alt") == "sse":
        response = web.StreamResponse(headers=gemini_headers("text/event-stream"))
        return await exchange.send_stream(response, _sse_events(exchange.model, plan))

    def array_error(index: int) -> bytes:
        # Inside the JSON array an error is one more element, then the array closes.
        failure = exchange.stream_failure()
        element = _pretty(gemini_error_body(failure, exchange.model))
        return (b"[" if index == 0 else b"\n,\r\n") + element + b"]"

    response = web.StreamResponse(headers=gemini_headers())
    return await exchange.send_stream(response, _array_events(exchange.model, plan), array_error)
