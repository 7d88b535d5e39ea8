"""A Converse response to an OpenAI chat completion (wire-formats §5.2).

* ``text`` blocks → ``content``; ``toolUse`` → ``tool_calls`` (input object → JSON string);
  ``reasoningContent`` → ``reasoning_content`` and ``thinking_blocks`` (with signatures, so
  they can be sent back on the next turn).
* In JSON mode the ``json_tool_call`` input is the content, and the finish is ``stop``.
* ``stopReason``: end_turn/stop_sequence → stop, max_tokens/model_context_window_exceeded →
  length, tool_use → tool_calls, guardrail_intervened/content_filtered → content_filter.
* Usage: ``prompt_tokens`` = inputTokens + cacheReadInputTokens + cacheWriteInputTokens
  (Bedrock counts them apart; lockgate's convention includes them), with
  ``prompt_tokens_details.cached_tokens`` and ``cache_write_tokens``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.bedrock.errors import header
from lockgate.providers.bedrock.request import JSON_TOOL, bedrock_model_id, uses_json_tool
from lockgate.providers.call import ChatCall
from lockgate.transport.messages import UpstreamResponse
from lockgate.types import (
    ChatCompletion,
    Choice,
    FunctionCall,
    Message,
    PromptTokensDetails,
    ToolCall,
    Usage,
)

__all__ = ["completion_id", "finish_reason", "parse_converse_response", "usage_from"]

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}


def finish_reason(stop_reason: Any) -> str:
    return _FINISH.get(stop_reason, "stop") if isinstance(stop_reason, str) else "stop"


def completion_id(request_id: str | None = None) -> str:
    return "chatcmpl-" + (request_id or uuid.uuid4().hex)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def usage_from(raw: Any) -> Usage | None:
    if not isinstance(raw, Mapping):
        return None
    cache_read = _int(raw.get("cacheReadInputTokens"))
    cache_write = _int(raw.get("cacheWriteInputTokens"))
    prompt = _int(raw.get("inputTokens")) + cache_read + cache_write
    completion = _int(raw.get("outputTokens"))
    details = PromptTokensDetails(
        cached_tokens=cache_read, cache_write_tokens=cache_write if cache_write else None
    )
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        prompt_tokens_details=details,
    )


def _message(blocks: list[Any], json_mode: bool) -> tuple[Message, bool]:
    """(message, whether the JSON tool answered)."""
    text: list[str] = []
    reasoning: list[str] = []
    thinking_blocks: list[dict[str, Any]] = []
    calls: list[ToolCall] = []
    answered_json = False
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        if isinstance(block.get("text"), str):
            text.append(block["text"])
        elif isinstance(block.get("toolUse"), Mapping):
            use = block["toolUse"]
            arguments = orjson.dumps(use.get("input", {})).decode()
            if json_mode and use.get("name") == JSON_TOOL:
                text.append(arguments)
                answered_json = True
                continue
            calls.append(
                ToolCall(
                    id=str(use.get("toolUseId", "")),
                    function=FunctionCall(name=str(use.get("name", "")), arguments=arguments),
                )
            )
        elif isinstance(block.get("reasoningContent"), Mapping):
            content = block["reasoningContent"]
            reasoning_text = content.get("reasoningText")
            if isinstance(reasoning_text, Mapping):
                reasoning.append(str(reasoning_text.get("text", "")))
                thinking = {"type": "thinking", "thinking": reasoning_text.get("text", "")}
                if reasoning_text.get("signature"):
                    thinking["signature"] = reasoning_text["signature"]
                thinking_blocks.append(thinking)
            elif content.get("redactedContent") is not None:
                thinking_blocks.append(
                    {"type": "redacted_thinking", "data": content["redactedContent"]}
                )
    message = Message(
        content="".join(text) if text or not calls else None,
        tool_calls=calls or None,
        reasoning_content="".join(reasoning) if reasoning else None,
    )
    if thinking_blocks:
        message.extra["thinking_blocks"] = thinking_blocks
    return message, answered_json


def parse_converse_response(call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        raise APIConnectionError("Bedrock sent a response that is not JSON") from exc
    output = data.get("output") if isinstance(data, dict) else None
    message_data = output.get("message") if isinstance(output, Mapping) else None
    if not isinstance(message_data, Mapping):
        raise APIConnectionError("Bedrock response has no output message")
    blocks = message_data.get("content")
    message, answered_json = _message(
        blocks if isinstance(blocks, list) else [], uses_json_tool(call)
    )
    finish = finish_reason(data.get("stopReason"))
    if answered_json and finish == "tool_calls":
        finish = "stop"
    completion = ChatCompletion(
        id=completion_id(header(response.headers, "x-amzn-requestid")),
        created=int(time.time()),
        model=bedrock_model_id(call.model),
        choices=[Choice(index=0, message=message, finish_reason=finish)],
        usage=usage_from(data.get("usage")),
    )
    for name in ("metrics", "trace", "additionalModelResponseFields", "performanceConfig"):
        if name in data:
            completion.extra[name] = data[name]
    return completion
