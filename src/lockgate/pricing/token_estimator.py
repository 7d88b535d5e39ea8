"""A fast token-count estimate, with no tokenizer files (used for budget reservation).

A byte-level BPE (OpenAI's cl100k/o200k, and others alike) spends about one token per four
ASCII letters, about one per two digits or punctuation marks (they rarely merge into long
tokens), one per line break, and a number per non-ASCII character that grows with its
UTF-8 length: about 1/2 for 2-byte scripts (Cyrillic, Greek, Arabic, accented Latin), 1 for
3-byte ones (CJK, kana, Hangul, Indic, symbols) and 2 for 4-byte ones (emoji). Those counts
come from a few C-speed passes over the UTF-8 bytes. Calibration against exact tokenizers and
the measured error are in docs/pricing.md.

Chat messages add OpenAI's framing: 3 tokens per message, 1 more for a ``name``, and 3 that
prime the reply. Images count a fixed amount since their size is not known without decoding.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["estimate_prompt_tokens", "estimate_tokens"]

_LETTER_TOKENS = 0.25
_SYMBOL_TOKENS = 0.5
_NEWLINE_TOKENS = 1.0
_TOKENS_PER_MESSAGE = 3
_TOKENS_PER_NAME = 1
_REPLY_PRIMING_TOKENS = 3
# gpt-4o prices a 1024x1024 image at 765 tokens in high detail and 85 in low detail;
# Claude charges about (width * height) / 750, near 1,400 for 1 MP. Unknown size: the former.
_IMAGE_TOKENS = 765
_LOW_DETAIL_IMAGE_TOKENS = 85
_AUDIO_TOKENS = 500  # an input_audio part; its length is not known without decoding
_FILE_TOKENS = 1_000  # a file / document part given by reference or as base64
# OpenAI renders function definitions as a TypeScript namespace in the system prompt:
# "namespace functions {", "} // namespace functions" and a header cost 14 tokens (cl100k),
# "type NAME = (_: {" ... "}) => any;" 10 per tool, and each description line gets "// ".
_TOOLS_OVERHEAD = 14
_TOKENS_PER_TOOL = 10
_TOKENS_PER_PROPERTY = 3
_TOKENS_PER_TOOL_CALL = 3
_MAX_DEPTH = 16  # JSON schemas nest; a hostile one must not recurse without bound

_SYMBOLS = (string.punctuation + string.digits).encode()
_ASCII = bytes(range(128))
_IMAGE_PARTS = frozenset({"image_url", "image", "input_image"})
_FILE_PARTS = frozenset({"file", "document", "input_file"})
# Keys of content parts that carry identifiers, binary data or settings, not prompt text.
_NOT_TEXT = frozenset(
    {
        "type",
        "id",
        "tool_use_id",
        "tool_call_id",
        "signature",
        "cache_control",
        "data",
        "file_data",
        "file_id",
        "url",
        "media_type",
        "source",
        "index",
    }
)


def estimate_tokens(text_or_messages: str | Sequence[Mapping[str, Any] | str]) -> int:
    """Estimated tokens of a text, or of chat messages including their framing."""
    if isinstance(text_or_messages, str):
        if not text_or_messages:
            return 0
        # Any non-empty text is at least one token (a lone space is one for real tokenizers).
        return max(1, math.ceil(_text_tokens(text_or_messages)))
    return math.ceil(_messages_tokens(text_or_messages))


def estimate_prompt_tokens(
    messages: Sequence[Mapping[str, Any] | str], tools: Sequence[Mapping[str, Any]] | None = None
) -> int:
    """Estimated prompt tokens of a chat request: its messages and tool definitions."""
    total = _messages_tokens(messages)
    if tools:
        total += _TOOLS_OVERHEAD + sum(_tool_tokens(tool) for tool in tools)
    return math.ceil(total)


def _text_tokens(text: str) -> float:
    if not text:
        return 0.0
    data = text.encode("utf-8", "surrogatepass")  # a lone surrogate must not raise
    size = len(data)
    symbols = size - len(data.translate(None, _SYMBOLS))
    spaces = data.count(b" ")
    newlines = data.count(b"\n")
    if text.isascii():
        ascii_count, other = size, 0.0
    else:
        high = len(data.translate(None, _ASCII))  # bytes of non-ASCII characters
        ascii_count = size - high
        chars = len(text) - ascii_count
        # 1/2 token per 2-byte, 1 per 3-byte, 2 per 4-byte character: with c2 + c3 = chars
        # and 2*c2 + 3*c3 = high this is linear in (high, chars), so no per-class pass.
        other = 0.5 * (high - chars) if high <= 3 * chars else high - 2.0 * chars
    letters = ascii_count - symbols - spaces - newlines
    return _LETTER_TOKENS * letters + _SYMBOL_TOKENS * symbols + _NEWLINE_TOKENS * newlines + other


def _messages_tokens(messages: Sequence[Mapping[str, Any] | str]) -> float:
    # Per request on the admission path: plain messages (a role and a text) take the
    # fewest steps; every token count is a multiple of 1/4, so float sums are exact.
    total = 0.0
    framed = False
    for message in messages:
        if isinstance(message, str):  # an embedding input list
            total += _text_tokens(message)
            continue
        framed = True
        content = message.get("content")
        total += (_TOKENS_PER_MESSAGE + 1) + (  # the role is one token
            _text_tokens(content) if isinstance(content, str) else _content_tokens(content, 0)
        )
        name = message.get("name")
        if name is not None and isinstance(name, str):
            total += _TOKENS_PER_NAME + _text_tokens(name)
        calls = message.get("tool_calls")
        if calls is not None and isinstance(calls, list):
            for call in calls:
                if isinstance(call, Mapping):
                    function = call.get("function")
                    total += _TOKENS_PER_TOOL_CALL + _value_tokens(function, 1, keys=False)
        function_call = message.get("function_call")
        if function_call is not None and isinstance(function_call, Mapping):
            total += _TOKENS_PER_TOOL_CALL + _value_tokens(function_call, 1, keys=False)
    return total + (_REPLY_PRIMING_TOKENS if framed else 0)


def _content_tokens(content: Any, depth: int) -> float:
    if isinstance(content, str):
        return _text_tokens(content)
    if not isinstance(content, list):
        return 0.0
    return sum(_part_tokens(part, depth + 1) for part in content)


def _part_tokens(part: Any, depth: int) -> float:
    if isinstance(part, str):
        return _text_tokens(part)
    if not isinstance(part, Mapping) or depth > _MAX_DEPTH:
        return 0.0
    kind = part.get("type")
    if not isinstance(kind, str):
        kind = ""
    if kind in _IMAGE_PARTS:
        return _image_tokens(part)
    if kind == "input_audio":
        return _AUDIO_TOKENS
    if kind in _FILE_PARTS and not isinstance(part.get("text"), str):
        return _FILE_TOKENS
    # text, thinking, tool_use (input), tool_result (content), and anything new: its text.
    return _value_tokens(part, depth, keys=False)


def _image_tokens(part: Mapping[str, Any]) -> int:
    image = part.get("image_url")
    detail = image.get("detail") if isinstance(image, Mapping) else part.get("detail")
    return _LOW_DETAIL_IMAGE_TOKENS if detail == "low" else _IMAGE_TOKENS


def _value_tokens(value: Any, depth: int, *, keys: bool = True) -> float:
    """Text inside a JSON value, skipping ids and binary data.

    ``keys``: whether object keys are prompt text too (they are inside tool arguments, not in
    a content part's own fields such as ``type`` and ``text``).
    """
    if isinstance(value, str):
        return _text_tokens(value)
    if depth > _MAX_DEPTH:
        return 0.0
    if isinstance(value, Mapping):
        total = 0.0
        for key, item in value.items():
            if key in _NOT_TEXT:
                continue
            if key == "content":
                total += _content_tokens(item, depth)
                continue
            if keys:
                total += _text_tokens(str(key))
            total += _value_tokens(item, depth + 1)
        return total
    if isinstance(value, list):
        return sum(_value_tokens(item, depth + 1) for item in value)
    if isinstance(value, bool) or value is None:
        return 1.0 if value is not None else 0.0
    if isinstance(value, int | float):
        return _text_tokens(str(value))
    return 0.0


def _tool_tokens(tool: Mapping[str, Any]) -> float:
    # OpenAI nests the definition under "function"; Anthropic puts it at the top level.
    spec = tool.get("function")
    if not isinstance(spec, Mapping):
        spec = tool
    total = float(_TOKENS_PER_TOOL)
    name, description = spec.get("name"), spec.get("description")
    if isinstance(name, str):
        total += _text_tokens(name)
    if isinstance(description, str):
        total += _text_tokens(description) + description.count("\n") + 1
    schema = spec.get("parameters", spec.get("input_schema"))
    return total + _schema_tokens(schema, 0)


def _schema_tokens(schema: Any, depth: int) -> float:
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return 0.0
    total = 0.0
    if isinstance(schema.get("description"), str):
        total += _text_tokens(schema["description"])
    enum = schema.get("enum")
    if isinstance(enum, list):
        total += _value_tokens(enum, depth + 1)
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        for name, sub in properties.items():
            total += _TOKENS_PER_PROPERTY + _text_tokens(str(name))
            if isinstance(sub, Mapping) and isinstance(sub.get("type"), str):
                total += 1  # the type name
            total += _schema_tokens(sub, depth + 1)
    for key in ("items", "anyOf", "oneOf", "allOf"):
        nested = schema.get(key)
        for sub in nested if isinstance(nested, list) else (nested,):
            total += _schema_tokens(sub, depth + 1)
    return total
