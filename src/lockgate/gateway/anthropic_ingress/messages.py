"""Anthropic ``system`` and ``messages`` to OpenAI chat messages.

Where the two formats differ:

* ``tool_result`` blocks (in a user turn) become one ``role: "tool"`` message each, placed
  before the rest of that turn, since OpenAI wants tool answers right after the call.
  Images and documents inside a tool result move to a user message after the tool
  messages: OpenAI tool messages carry text only.
* ``tool_use`` blocks become ``tool_calls`` with the ``input`` object as a JSON string.
* ``thinking`` / ``redacted_thinking`` blocks are kept unchanged, in order, in the assistant
  message's ``thinking_blocks`` list (LiteLLM's field), so signatures survive the round trip
  to an Anthropic-protocol upstream.
* ``is_error`` on a tool result is kept as ``is_error: true`` on the tool message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.gateway.anthropic_ingress.content_blocks import content_parts, media_parts, text_part
from lockgate.gateway.anthropic_ingress.fields import (
    fail,
    join,
    json_type,
    opt_bool,
    opt_object,
    opt_str,
    req_object,
    req_str,
)

__all__ = ["openai_messages", "system_message"]

_ROLES = ("user", "assistant")


def system_message(system: Any) -> dict[str, Any] | None:
    """The OpenAI system message for Anthropic's top-level ``system`` (None when empty)."""
    if system is None:
        return None
    if isinstance(system, str):
        return {"role": "system", "content": system} if system else None
    if not isinstance(system, list):
        fail("system", f"expected a string or an array of text blocks, got {json_type(system)}")
    parts = []
    for i, raw in enumerate(system):
        path = join("system", i)
        block = req_object(raw, path)
        kind = req_str(block, "type", path)
        if kind != "text":
            fail(join(path, "type"), f"system blocks must be of type 'text', got '{kind}'")
        parts.append(text_part(block, path))
    return {"role": "system", "content": _collapse(parts)} if parts else None


def openai_messages(raw_messages: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, raw in enumerate(raw_messages):
        path = join("messages", i)
        message = req_object(raw, path)
        role = req_str(message, "role", path)
        if role not in _ROLES:
            fail(join(path, "role"), f"expected 'user' or 'assistant', got '{role}'")
        if "content" not in message:
            fail(join(path, "content"), "field required")
        content = message["content"]
        content_path = join(path, "content")
        if role == "user":
            out.extend(_user_messages(content, content_path))
        else:
            out.append(_assistant_message(content, content_path))
    return out


def _collapse(parts: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """A single plain text part as a string, which every OpenAI-format provider accepts."""
    if len(parts) == 1 and parts[0]["type"] == "text" and "cache_control" not in parts[0]:
        text: str = parts[0]["text"]
        return text
    return parts


def _blocks(content: Any, path: str) -> list[Mapping[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        fail(path, f"expected a string or an array of content blocks, got {json_type(content)}")
    return [req_object(block, join(path, i)) for i, block in enumerate(content)]


def _user_messages(content: Any, path: str) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"role": "user", "content": content}]
    blocks = _blocks(content, path)
    if not blocks:
        fail(path, "at least one content block is required")
    tool_messages: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for i, block in enumerate(blocks):
        block_path = join(path, i)
        kind = req_str(block, "type", block_path)
        if kind == "tool_result":
            message, media = _tool_message(block, block_path)
            tool_messages.append(message)
            parts.extend(media)
            continue
        converted = content_parts(block, block_path)
        if converted is None:
            fail(join(block_path, "type"), f"unknown block type '{kind}'")
        parts.extend(converted)
    if parts:
        tool_messages.append({"role": "user", "content": _collapse(parts)})
    return tool_messages


def _tool_message(
    block: Mapping[str, Any], path: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The tool message for a ``tool_result``, and the image/document parts it carried."""
    tool_call_id = req_str(block, "tool_use_id", path)
    raw = block.get("content")
    media: list[dict[str, Any]] = []
    content: str | list[dict[str, Any]]
    if raw is None:
        content = ""
    elif isinstance(raw, str):
        content = raw
    else:
        parts = media_parts(raw, join(path, "content"))
        texts = [p for p in parts if p["type"] == "text"]
        media = [p for p in parts if p["type"] != "text"]
        for part in texts:  # the marker is carried by the tool message itself
            part.pop("cache_control", None)
        content = texts[0]["text"] if len(texts) == 1 else texts if texts else ""
    message: dict[str, Any] = {"role": "tool", "tool_call_id": tool_call_id, "content": content}
    if opt_bool(block, "is_error", path):
        message["is_error"] = True
    marker = opt_object(block, "cache_control", path)
    if marker is not None:
        message["cache_control"] = dict(marker)
    return message, media


def _assistant_message(content: Any, path: str) -> dict[str, Any]:
    texts: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    thinking_blocks: list[dict[str, Any]] = []
    blocks = _blocks(content, path)
    for i, block in enumerate(blocks):
        block_path = join(path, i)
        kind = req_str(block, "type", block_path)
        if kind == "text":
            texts.append(text_part(block, block_path))
        elif kind == "tool_use":
            tool_calls.append(_tool_call(block, block_path))
        elif kind == "thinking":
            req_str(block, "thinking", block_path)
            opt_str(block, "signature", block_path)
            thinking_blocks.append(dict(block))
        elif kind == "redacted_thinking":
            req_str(block, "data", block_path)
            thinking_blocks.append(dict(block))
        else:
            fail(join(block_path, "type"), f"unknown block type '{kind}'")
    message: dict[str, Any] = {"role": "assistant", "content": _assistant_text(texts, tool_calls)}
    if tool_calls:
        message["tool_calls"] = tool_calls
    if thinking_blocks:
        message["thinking_blocks"] = thinking_blocks
    _last_tool_use_marker(blocks, message, path)
    return message


def _last_tool_use_marker(
    blocks: list[Mapping[str, Any]], message: dict[str, Any], path: str
) -> None:
    """A ``cache_control`` on the turn's closing tool_use (where clients put a breakpoint) as
    the message's marker, which an Anthropic upstream puts back on the last block. OpenAI tool
    calls have no room for one, so a marker on an earlier tool_use is not carried."""
    if blocks and blocks[-1].get("type") == "tool_use":
        marker = opt_object(blocks[-1], "cache_control", join(path, len(blocks) - 1))
        if marker is not None:
            message["cache_control"] = dict(marker)


def _assistant_text(
    texts: list[dict[str, Any]], tool_calls: list[dict[str, Any]]
) -> str | list[dict[str, Any]] | None:
    if any("cache_control" in part for part in texts):
        return texts
    if not texts:
        return None if tool_calls else ""
    # Several text blocks of one turn are consecutive pieces of one answer (split around
    # citations or tool calls), so they join with nothing in between.
    return "".join(part["text"] for part in texts)


def _tool_call(block: Mapping[str, Any], path: str) -> dict[str, Any]:
    call_id = req_str(block, "id", path)
    name = req_str(block, "name", path)
    if "input" not in block:
        fail(join(path, "input"), "field required")
    input_path = join(path, "input")
    arguments = req_object(block["input"], input_path)
    try:
        encoded = orjson.dumps(arguments).decode()
    except TypeError:  # orjson.JSONEncodeError: only reachable for a body not parsed from JSON
        fail(input_path, "must be a JSON object")
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": encoded}}
