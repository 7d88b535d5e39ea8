"""An OpenAI ChatCompletion to the body of an Anthropic Messages response.

Content blocks come in Anthropic's order: thinking, then text, then tool_use. Thinking is
taken from the message's ``thinking_blocks`` (``message.extra["thinking_blocks"]``,
LiteLLM's field, which carries signatures and ``redacted_thinking`` blocks) when an
upstream adapter filled it, else from ``reasoning_content`` with an empty signature.
"""

from __future__ import annotations

from typing import Any

import orjson

from lockgate.errors import BadGatewayError
from lockgate.gateway.anthropic_ingress.ids import message_id, tool_use_id
from lockgate.gateway.anthropic_ingress.stop_reasons import (
    anthropic_stop_reason,
    matched_stop_sequence,
)
from lockgate.gateway.anthropic_ingress.usage import anthropic_usage
from lockgate.types import ChatCompletion, Message, ToolCall

__all__ = ["openai_response_to_anthropic", "thinking_blocks", "tool_input"]


def openai_response_to_anthropic(response: ChatCompletion, requested_model: str) -> dict[str, Any]:
    """The Anthropic JSON body, keys in the order Anthropic writes them.

    Only the first choice is used: Anthropic has no ``n``.
    """
    choice = response.choices[0] if response.choices else None
    message = choice.message if choice is not None else Message()
    content = thinking_blocks(message)
    text = message.content if isinstance(message.content, str) else None
    if text:
        content.append({"type": "text", "text": text})
    elif message.refusal:
        content.append({"type": "text", "text": message.refusal})
    calls = message.tool_calls or []
    content.extend(_tool_use_block(call) for call in calls)
    stop_sequence = matched_stop_sequence(choice.extra) if choice is not None else None
    stop_reason = anthropic_stop_reason(
        choice.finish_reason if choice is not None else None,
        has_tool_calls=bool(calls),
        stop_sequence=stop_sequence,
    )
    return {
        "model": requested_model,
        "id": message_id(response.id),
        "type": "message",
        "role": "assistant",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": stop_sequence if stop_reason == "stop_sequence" else None,
        "stop_details": None,
        "usage": anthropic_usage(response.usage),
    }


def thinking_blocks(message: Message) -> list[dict[str, Any]]:
    carried = message.extra.get("thinking_blocks")
    if isinstance(carried, list) and carried:
        blocks = []
        for block in carried:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "redacted_thinking" and isinstance(block.get("data"), str):
                blocks.append({"type": "redacted_thinking", "data": block["data"]})
            elif block.get("type") == "thinking" and isinstance(block.get("thinking"), str):
                signature = block.get("signature")
                blocks.append(
                    {
                        "type": "thinking",
                        "thinking": block["thinking"],
                        "signature": signature if isinstance(signature, str) else "",
                    }
                )
        if blocks:
            return blocks
    if message.reasoning_content:
        return [{"type": "thinking", "thinking": message.reasoning_content, "signature": ""}]
    return []


def tool_input(arguments: str) -> dict[str, Any]:
    """Anthropic's ``input`` object from OpenAI's JSON-string ``arguments``."""
    if not arguments.strip():
        return {}
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        value = None
    if value is None and arguments.strip() == "null":
        return {}
    if not isinstance(value, dict):
        # Anthropic promises an object; handing the client a guess would be worse than a 502.
        raise BadGatewayError(
            "the upstream model returned tool arguments that are not a JSON object"
        )
    return value


def _tool_use_block(call: ToolCall) -> dict[str, Any]:
    return {
        "type": "tool_use",
        "id": tool_use_id(call.id),
        "name": call.function.name or "",
        "input": tool_input(call.function.arguments or ""),
    }
