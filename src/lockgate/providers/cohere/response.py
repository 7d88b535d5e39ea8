"""A Cohere ``/v2/chat`` response to an OpenAI chat completion (wire-formats §6.1).

``message.content[]`` text parts → ``content`` (``thinking`` parts → ``reasoning_content``);
``tool_calls`` are OpenAI-shaped already; ``tool_plan`` and ``citations`` are kept as extra
message fields. ``finish_reason``: COMPLETE/STOP_SEQUENCE → stop, MAX_TOKENS → length,
TOOL_CALL → tool_calls, ERROR/TIMEOUT → stop (with ``cohere_finish_reason`` kept).

Usage: ``billed_units`` (what Cohere charges for) are the prompt and completion tokens;
the raw ``tokens`` counts (which include Cohere's own preamble) and ``cached_tokens`` are
kept as extra usage fields.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.call import ChatCall
from lockgate.transport.messages import UpstreamResponse
from lockgate.types import ChatCompletion, Choice, FunctionCall, Message, ToolCall, Usage

__all__ = ["cohere_usage", "finish_reason", "parse_cohere_chat_response"]

_FINISH = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "TOOL_CALL": "tool_calls",
}


def finish_reason(raw: Any) -> str:
    return _FINISH.get(raw, "stop") if isinstance(raw, str) else "stop"


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def cohere_usage(raw: Any) -> Usage | None:
    if not isinstance(raw, Mapping):
        return None
    billed = raw.get("billed_units")
    tokens = raw.get("tokens")
    counts = billed if isinstance(billed, Mapping) else tokens
    if not isinstance(counts, Mapping):
        return None
    prompt = _int(counts.get("input_tokens"))
    completion = _int(counts.get("output_tokens"))
    usage = Usage(
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
    )
    if isinstance(tokens, Mapping):
        usage.extra["tokens"] = dict(tokens)
    if "cached_tokens" in raw:
        usage.extra["cohere_cached_tokens"] = raw["cached_tokens"]
    return usage


def _tool_calls(raw: Any) -> list[ToolCall] | None:
    calls = [
        ToolCall(
            id=str(call.get("id", "")),
            function=FunctionCall(
                name=str(call["function"].get("name", "")),
                arguments=str(call["function"].get("arguments") or "{}"),
            ),
        )
        for call in raw or ()
        if isinstance(call, Mapping) and isinstance(call.get("function"), Mapping)
    ]
    return calls or None


def parse_cohere_chat_response(call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        raise APIConnectionError("Cohere sent a response that is not JSON") from exc
    message_data = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message_data, Mapping):
        raise APIConnectionError("Cohere response has no message")
    text: list[str] = []
    thinking: list[str] = []
    for part in message_data.get("content") or ():
        if isinstance(part, Mapping) and part.get("type") == "text":
            text.append(str(part.get("text", "")))
        elif isinstance(part, Mapping) and part.get("type") == "thinking":
            thinking.append(str(part.get("thinking", "")))
    calls = _tool_calls(message_data.get("tool_calls"))
    message = Message(
        content="".join(text) if text or not calls else None,
        tool_calls=calls,
        reasoning_content="".join(thinking) if thinking else None,
    )
    for name in ("tool_plan", "citations"):
        if message_data.get(name):
            message.extra[name] = message_data[name]
    raw_finish = data.get("finish_reason")
    choice = Choice(index=0, message=message, finish_reason=finish_reason(raw_finish))
    if raw_finish in ("ERROR", "TIMEOUT"):
        choice.extra["cohere_finish_reason"] = raw_finish
    return ChatCompletion(
        id=str(data.get("id", "")),
        created=int(time.time()),
        model=call.model,
        choices=[choice],
        usage=cohere_usage(data.get("usage")),
    )
