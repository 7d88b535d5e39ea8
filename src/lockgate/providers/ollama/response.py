"""An Ollama ``/api/chat`` answer to an OpenAI chat completion (wire-formats §6.3).

Tool arguments arrive as objects and become JSON strings; calls without an ``id`` get one.
``finish_reason``: tool_calls when the model called a tool, else ``done_reason`` (stop,
length). Usage: ``prompt_eval_count`` and ``eval_count``. The timings (nanoseconds) are
kept in ``_hidden_params["ollama_timings_ns"]``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.call import ChatCall
from lockgate.transport.messages import UpstreamResponse
from lockgate.types import ChatCompletion, Choice, FunctionCall, Message, ToolCall, Usage

__all__ = [
    "TIMINGS",
    "completion_id",
    "finish_reason",
    "ollama_usage",
    "parse_ollama_chat_response",
    "tool_call",
]

TIMINGS = ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")


def completion_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def ollama_usage(data: Mapping[str, Any]) -> Usage:
    prompt = _int(data.get("prompt_eval_count"))
    completion = _int(data.get("eval_count"))
    return Usage(
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
    )


def finish_reason(done_reason: Any, called_tools: bool) -> str:
    if called_tools:
        return "tool_calls"
    return "length" if done_reason == "length" else "stop"


def tool_call(raw: Mapping[str, Any], index: int | None = None) -> ToolCall:
    function = raw.get("function")
    function = function if isinstance(function, Mapping) else {}
    arguments = function.get("arguments", {})
    return ToolCall(
        id=str(raw.get("id") or "call_" + uuid.uuid4().hex[:24]),
        function=FunctionCall(
            name=str(function.get("name", "")),
            arguments=arguments if isinstance(arguments, str) else orjson.dumps(arguments).decode(),
        ),
        index=index,
    )


def parse_ollama_chat_response(call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        raise APIConnectionError("Ollama sent a response that is not JSON") from exc
    message_data = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message_data, Mapping):
        raise APIConnectionError("Ollama response has no message")
    calls = [tool_call(c) for c in message_data.get("tool_calls") or () if isinstance(c, Mapping)]
    thinking = message_data.get("thinking")
    message = Message(
        content=str(message_data.get("content") or "")
        if not calls
        else (message_data.get("content") or None),
        tool_calls=calls or None,
        reasoning_content=thinking if isinstance(thinking, str) and thinking else None,
    )
    completion = ChatCompletion(
        id=completion_id(),
        created=int(time.time()),
        model=str(data.get("model") or call.model),
        choices=[
            Choice(
                index=0,
                message=message,
                finish_reason=finish_reason(data.get("done_reason"), bool(calls)),
            )
        ],
        usage=ollama_usage(data),
    )
    completion._hidden_params["ollama_timings_ns"] = {k: data[k] for k in TIMINGS if k in data}
    return completion
