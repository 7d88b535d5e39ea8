"""OpenAI chat messages to Anthropic's top-level ``system`` and alternating ``messages``.

* ``system`` and ``developer`` messages, wherever they are, become the top-level ``system``
  text blocks, in order.
* ``tool`` messages become ``tool_result`` blocks in a user turn; the results of parallel
  calls share one user turn, and ``tool_result`` blocks come first in their turn, as
  Anthropic requires.
* Consecutive messages of one role are merged into one turn.
* Assistant ``thinking_blocks`` (LiteLLM's field: thinking with its signature, or
  ``redacted_thinking``) are sent back first in their turn, so extended thinking keeps working
  across tool calls. Thinking without a signature (another provider's reasoning) is dropped:
  Anthropic refuses it.
* ``cache_control`` on a content part, a tool message or a whole message is kept on the
  block it marks (on the last block of the message for a message-level marker).
* Images: data URLs become base64 sources, http(s) URLs become url sources; PDFs (a data URL
  or a ``file`` part) become ``document`` blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from lockgate.errors import BadRequestError
from lockgate.providers.media import media_ref

__all__ = ["anthropic_messages", "anthropic_system"]

Block = dict[str, Any]

# Anthropic block types an OpenAI-format message may already carry (the gateway keeps them).
_NATIVE_BLOCKS = frozenset(
    {
        "image",
        "document",
        "search_result",
        "tool_result",
        "tool_use",
        "thinking",
        "redacted_thinking",
    }
)


def _param(index: int) -> str:
    return f"messages[{index}]"


def _with_marker(block: Block, source: Mapping[str, Any]) -> Block:
    marker = source.get("cache_control")
    if isinstance(marker, Mapping):
        block["cache_control"] = dict(marker)
    return block


def _text_block(text: str, source: Mapping[str, Any] | None = None) -> Block:
    block: Block = {"type": "text", "text": text}
    return _with_marker(block, source) if source is not None else block


def _media_block(part: Mapping[str, Any], param: str) -> Block:
    ref = media_ref(part, param=param)
    if ref.url is not None:
        kind = "document" if ref.media_type == "application/pdf" else "image"
        return _with_marker({"type": kind, "source": {"type": "url", "url": ref.url}}, part)
    source = {"type": "base64", "media_type": ref.media_type, "data": ref.data}
    kind = "image" if ref.media_type.startswith("image/") else "document"
    return _with_marker({"type": kind, "source": source}, part)


def _content_blocks(content: Any, param: str) -> list[Block]:
    """Blocks for a user/system/tool ``content`` (a string or OpenAI parts)."""
    if content is None:
        return []
    if isinstance(content, str):
        return [_text_block(content)] if content else []
    if not isinstance(content, list):
        raise BadRequestError("message content must be a string or a list of parts", param=param)
    blocks: list[Block] = []
    for part in content:
        if isinstance(part, str):
            if part:
                blocks.append(_text_block(part))
            continue
        if not isinstance(part, Mapping):
            raise BadRequestError("content parts must be objects", param=param)
        kind = part.get("type")
        if kind in ("text", "refusal"):
            text = part.get("text", part.get("refusal"))
            if isinstance(text, str) and text:
                blocks.append(_text_block(text, part))
        elif kind in ("image_url", "file"):
            blocks.append(_media_block(part, param))
        elif kind in _NATIVE_BLOCKS:
            blocks.append(dict(part))
        else:
            raise BadRequestError(f"Anthropic does not accept {kind!r} content parts", param=param)
    return blocks


def _mark_last(blocks: list[Block], message: Mapping[str, Any]) -> None:
    marker = message.get("cache_control")
    if blocks and isinstance(marker, Mapping):
        blocks[-1]["cache_control"] = dict(marker)


def anthropic_system(messages: Sequence[Mapping[str, Any]]) -> list[Block]:
    """The text blocks of every system and developer message, in order."""
    blocks: list[Block] = []
    for index, message in enumerate(messages):
        if message.get("role") in ("system", "developer"):
            own = _content_blocks(message.get("content"), _param(index))
            _mark_last(own, message)
            blocks.extend(b for b in own if b.get("type") == "text")
    return blocks


def _thinking_blocks(message: Mapping[str, Any]) -> list[Block]:
    carried = message.get("thinking_blocks")
    if not isinstance(carried, list):
        return []
    blocks: list[Block] = []
    for block in carried:
        if not isinstance(block, Mapping):
            continue
        if block.get("type") == "redacted_thinking" and isinstance(block.get("data"), str):
            blocks.append({"type": "redacted_thinking", "data": block["data"]})
        elif block.get("type") == "thinking" and isinstance(block.get("thinking"), str):
            signature = block.get("signature")
            if isinstance(signature, str) and signature:
                blocks.append(
                    {"type": "thinking", "thinking": block["thinking"], "signature": signature}
                )
    return blocks


def _tool_input(arguments: Any, param: str) -> dict[str, Any]:
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if arguments is None or (isinstance(arguments, str) and not arguments.strip()):
        return {}
    try:
        value = orjson.loads(arguments) if isinstance(arguments, str) else None
    except orjson.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise BadRequestError(
            "tool call arguments must be a JSON object (Anthropic sends tool input as one)",
            param=param,
        )
    return value


def _assistant_blocks(message: Mapping[str, Any], index: int) -> list[Block]:
    param = _param(index)
    blocks = _thinking_blocks(message)
    content = message.get("content")
    text_blocks = _content_blocks(content, param)
    blocks.extend(text_blocks)
    if message.get("function_call") is not None:
        raise BadRequestError(
            "legacy function_call messages are not supported for Anthropic; use tool_calls",
            param=param,
        )
    for call in message.get("tool_calls") or ():
        if not isinstance(call, Mapping):
            raise BadRequestError("tool_calls entries must be objects", param=param)
        function = call.get("function")
        function = function if isinstance(function, Mapping) else {}
        blocks.append(
            {
                "type": "tool_use",
                "id": str(call.get("id") or ""),
                "name": str(function.get("name") or ""),
                "input": _tool_input(function.get("arguments"), f"{param}.tool_calls"),
            }
        )
    _mark_last(blocks, message)
    return blocks


def _tool_result_block(message: Mapping[str, Any], index: int) -> Block:
    param = _param(index)
    call_id = message.get("tool_call_id")
    if not isinstance(call_id, str) or not call_id:
        raise BadRequestError("a tool message needs its tool_call_id", param=param)
    content = message.get("content")
    block: Block = {"type": "tool_result", "tool_use_id": call_id}
    if isinstance(content, str):
        block["content"] = content
    else:
        inner = _content_blocks(content, param)
        for part in inner:
            part.pop("cache_control", None)  # the marker belongs on the tool_result itself
        block["content"] = inner
    if message.get("is_error"):
        block["is_error"] = True
    return _with_marker(block, message)


def _append(turns: list[tuple[str, list[Block]]], role: str, blocks: list[Block]) -> None:
    if not blocks:
        return
    if turns and turns[-1][0] == role:
        turns[-1][1].extend(blocks)
    else:
        turns.append((role, blocks))


def _finish_turn(role: str, blocks: list[Block], last: bool) -> dict[str, Any]:
    if role == "user":
        # tool_result blocks must open the user turn that follows the tool_use turn.
        results = [b for b in blocks if b.get("type") == "tool_result"]
        if results:
            blocks = results + [b for b in blocks if b.get("type") != "tool_result"]
    elif last and blocks and blocks[-1].get("type") == "text":
        # A prefilled final assistant turn may not end with whitespace.
        blocks[-1]["text"] = blocks[-1]["text"].rstrip()
        if not blocks[-1]["text"]:
            blocks = blocks[:-1]
    if len(blocks) == 1 and blocks[0].get("type") == "text" and set(blocks[0]) == {"type", "text"}:
        return {"role": role, "content": blocks[0]["text"]}
    return {"role": role, "content": blocks}


def anthropic_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ``messages`` array: user/assistant turns, strictly alternating."""
    turns: list[tuple[str, list[Block]]] = []
    for index, message in enumerate(messages):
        role = message.get("role")
        if role in ("system", "developer"):
            continue
        if role == "user":
            blocks = _content_blocks(message.get("content"), _param(index))
            _mark_last(blocks, message)
            _append(turns, "user", blocks)
        elif role == "assistant":
            _append(turns, "assistant", _assistant_blocks(message, index))
        elif role == "tool":
            _append(turns, "user", [_tool_result_block(message, index)])
        else:
            raise BadRequestError(
                f"message role {role!r} is not supported for Anthropic", param=_param(index)
            )
    if not turns:
        raise BadRequestError(
            "Anthropic needs at least one user or assistant message besides the system prompt",
            param="messages",
        )
    out = [
        _finish_turn(role, blocks, last=i == len(turns) - 1)
        for i, (role, blocks) in enumerate(turns)
    ]
    return [turn for turn in out if turn["content"]]
