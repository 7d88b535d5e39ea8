"""OpenAI chat messages to Converse ``system`` and ``messages`` (wire-formats §5.2).

* ``system``/``developer`` messages become ``system: [{"text"}]`` blocks.
* User content parts: ``text`` → ``{"text"}``; ``image_url`` with a base64 ``data:`` URL →
  ``{"image": {"format", "source": {"bytes"}}}``, an ``s3://`` URL → ``source.s3Location``
  (Bedrock cannot fetch http URLs and an adapter does no I/O, so those are refused).
  A part carrying ``cache_control`` is followed by a ``{"cachePoint"}`` block.
* Assistant ``tool_calls`` → ``{"toolUse": {"toolUseId", "name", "input": {object}}}``;
  ``thinking_blocks`` (kept from an earlier answer) → ``reasoningContent`` blocks first.
* ``tool`` messages → a user message of ``{"toolResult": {"toolUseId", "content"}}`` blocks.
* Consecutive messages of one role are merged: Converse wants user and assistant to alternate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import BadRequestError

__all__ = ["converse_messages", "tool_names_used"]

_IMAGE_FORMATS = {"png": "png", "jpeg": "jpeg", "jpg": "jpeg", "gif": "gif", "webp": "webp"}
_CACHE_POINT: dict[str, Any] = {"cachePoint": {"type": "default"}}


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(p.get("text", ""))
            for p in content
            if isinstance(p, Mapping) and p.get("type") in ("text", "input_text")
        )
    return ""


def _image_block(part: Mapping[str, Any]) -> dict[str, Any]:
    image = part.get("image_url")
    url = image.get("url") if isinstance(image, Mapping) else image
    if not isinstance(url, str):
        raise BadRequestError("image_url needs a url", param="messages")
    if url.startswith("s3://"):
        fmt = _IMAGE_FORMATS.get(url.rsplit(".", 1)[-1].lower(), "png")
        return {"image": {"format": fmt, "source": {"s3Location": {"uri": url}}}}
    if not url.startswith("data:"):
        raise BadRequestError(
            "Bedrock takes images as base64 data URLs (data:image/png;base64,...) or s3:// URLs",
            param="messages",
        )
    header, sep, data = url[5:].partition(",")
    media_type, _, encoding = header.partition(";")
    image_format = _IMAGE_FORMATS.get(media_type.removeprefix("image/").lower())
    if not sep or encoding != "base64" or image_format is None:
        raise BadRequestError(
            "image data URLs must be base64 PNG, JPEG, GIF or WebP", param="messages"
        )
    return {"image": {"format": image_format, "source": {"bytes": data}}}


def _content_blocks(content: Any) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    if not isinstance(content, list):
        raise BadRequestError("message content must be a string or a list", param="messages")
    blocks: list[dict[str, Any]] = []
    for part in content:
        if isinstance(part, str):
            part = {"type": "text", "text": part}
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        if kind in ("text", "input_text"):
            text = part.get("text")
            if isinstance(text, str) and text:
                blocks.append({"text": text})
        elif kind == "image_url":
            blocks.append(_image_block(part))
        else:
            raise BadRequestError(f"Bedrock does not take {kind!r} content parts", param="messages")
        if part.get("cache_control") is not None and blocks:
            blocks.append(dict(_CACHE_POINT))
    return blocks


def _tool_input(arguments: Any) -> Any:
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if not arguments:
        return {}
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        raise BadRequestError(
            "tool call arguments must be a JSON object", param="messages"
        ) from None
    return value if isinstance(value, dict) else {"value": value}


def _assistant_blocks(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for thinking in message.get("thinking_blocks") or ():
        if isinstance(thinking, Mapping) and thinking.get("type") == "thinking":
            text = {"text": thinking.get("thinking", "")}
            if thinking.get("signature"):
                text["signature"] = thinking["signature"]
            blocks.append({"reasoningContent": {"reasoningText": text}})
        elif isinstance(thinking, Mapping) and thinking.get("type") == "redacted_thinking":
            blocks.append({"reasoningContent": {"redactedContent": thinking.get("data", "")}})
    blocks += _content_blocks(message.get("content"))
    for call in message.get("tool_calls") or ():
        function = call.get("function") if isinstance(call, Mapping) else None
        if not isinstance(function, Mapping):
            continue
        blocks.append(
            {
                "toolUse": {
                    "toolUseId": str(call.get("id") or ""),
                    "name": str(function.get("name") or ""),
                    "input": _tool_input(function.get("arguments")),
                }
            }
        )
    return blocks


def _tool_result(message: Mapping[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    text = content if isinstance(content, str) else _text_of(content)
    tool_id = message.get("tool_call_id") or message.get("name") or ""
    return {"toolResult": {"toolUseId": str(tool_id), "content": [{"text": text or " "}]}}


def converse_messages(
    messages: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(system blocks, alternating Converse messages)."""
    system: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role in ("system", "developer"):
            text = _text_of(message.get("content"))
            if text:
                system.append({"text": text})
            continue
        if role == "user":
            converse_role, blocks = "user", _content_blocks(message.get("content"))
        elif role == "assistant":
            converse_role, blocks = "assistant", _assistant_blocks(message)
        elif role in ("tool", "function"):
            converse_role, blocks = "user", [_tool_result(message)]
        else:
            raise BadRequestError(f"unknown message role {role!r}", param="messages")
        if not blocks:
            continue
        if out and out[-1]["role"] == converse_role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": converse_role, "content": blocks})
    return system, out


def tool_names_used(messages: list[dict[str, Any]]) -> list[str]:
    """Names of the tools the conversation already called (Converse needs a toolConfig
    whenever toolUse or toolResult blocks are present)."""
    names: list[str] = []
    for message in messages:
        for block in message.get("content") or ():
            use = block.get("toolUse") if isinstance(block, Mapping) else None
            if isinstance(use, Mapping) and use.get("name") and use["name"] not in names:
                names.append(use["name"])
    return names
