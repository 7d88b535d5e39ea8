"""An Anthropic Messages response to an OpenAI ChatCompletion.

* ``text`` blocks → ``message.content`` (joined); ``tool_use`` → ``tool_calls`` (``input`` as a
  JSON string); ``thinking`` → ``reasoning_content`` and, with its signature,
  ``message.extra["thinking_blocks"]`` (``redacted_thinking`` too), which the gateway and
  the next request carry back.
* ``stop_reason``: end_turn/stop_sequence/pause_turn → stop, max_tokens and
  model_context_window_exceeded → length, tool_use → tool_calls, refusal → content_filter;
  the matched sequence is kept in ``choice.extra["stop_sequence"]``.
* usage: ``prompt_tokens`` = input + cache reads + cache writes (OpenAI's convention), with
  ``prompt_tokens_details.cached_tokens`` = cache reads and ``.cache_write_tokens`` = writes.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.anthropic.tools import JSON_TOOL_NAME
from lockgate.types import (
    ChatCompletion,
    Choice,
    FunctionCall,
    Message,
    PromptTokensDetails,
    ToolCall,
    Usage,
)

__all__ = [
    "FINISH_REASONS",
    "finish_reason",
    "openai_usage",
    "parse_anthropic_message",
    "tool_arguments",
]

FINISH_REASONS: Mapping[str, str] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def finish_reason(stop_reason: Any) -> str | None:
    if not isinstance(stop_reason, str):
        return None
    return FINISH_REASONS.get(stop_reason, "stop")


def _count(usage: Mapping[str, Any], name: str) -> int:
    value = usage.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def openai_usage(usage: Any) -> Usage | None:
    if not isinstance(usage, Mapping):
        return None
    reads = _count(usage, "cache_read_input_tokens")
    writes = _count(usage, "cache_creation_input_tokens")
    prompt = _count(usage, "input_tokens") + reads + writes
    completion = _count(usage, "output_tokens")
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        prompt_tokens_details=PromptTokensDetails(cached_tokens=reads, cache_write_tokens=writes),
    )


def tool_arguments(value: Any) -> str:
    return orjson.dumps(value if value is not None else {}).decode()


def parse_anthropic_message(data: Mapping[str, Any], *, json_tool: bool) -> ChatCompletion:
    blocks = data.get("content")
    if data.get("type") != "message" or not isinstance(blocks, list):
        raise APIConnectionError("upstream response is not an Anthropic message")
    texts: list[str] = []
    reasoning: list[str] = []
    thinking_blocks: list[dict[str, Any]] = []
    calls: list[ToolCall] = []
    json_answer = False
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif kind == "thinking" and isinstance(block.get("thinking"), str):
            reasoning.append(block["thinking"])
            thinking_blocks.append(
                {
                    "type": "thinking",
                    "thinking": block["thinking"],
                    "signature": block.get("signature"),
                }
            )
        elif kind == "redacted_thinking":
            thinking_blocks.append({"type": "redacted_thinking", "data": block.get("data")})
        elif kind == "tool_use" and json_tool and block.get("name") == JSON_TOOL_NAME:
            texts.append(tool_arguments(block.get("input")))
            json_answer = True
        elif kind == "tool_use":
            calls.append(
                ToolCall(
                    id=str(block.get("id") or ""),
                    function=FunctionCall(
                        name=str(block.get("name") or ""),
                        arguments=tool_arguments(block.get("input")),
                    ),
                )
            )
    message = Message(
        content="".join(texts) if texts else (None if calls else ""),
        tool_calls=calls or None,
        reasoning_content="".join(reasoning) if reasoning else None,
    )
    if thinking_blocks:
        message.extra["thinking_blocks"] = thinking_blocks
    stop_reason = data.get("stop_reason")
    finish = finish_reason(stop_reason)
    if json_answer and not calls and finish == "tool_calls":
        finish = "stop"
    choice = Choice(index=0, message=message, finish_reason=finish)
    if isinstance(data.get("stop_sequence"), str):
        choice.extra["stop_sequence"] = data["stop_sequence"]
    return ChatCompletion(
        id=str(data.get("id") or ""),
        created=int(time.time()),
        model=str(data.get("model") or ""),
        choices=[choice],
        usage=openai_usage(data.get("usage")),
    )
