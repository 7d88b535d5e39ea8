"""Remove the Anthropic-only keys this package leaves in OpenAI-format messages and tools.

The translation keeps what an Anthropic-protocol upstream needs to answer exactly as
Anthropic would (LiteLLM's field names): ``cache_control`` on content parts, messages and
tools, ``thinking_blocks`` on assistant messages, ``is_error`` on tool messages. OpenAI's
API refuses unknown keys inside messages, so a call to any other provider goes through
:func:`without_extensions` first.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lockgate.gateway.anthropic_ingress.request import OpenAIChatRequest

__all__ = ["MESSAGE_EXTENSION_KEYS", "PART_EXTENSION_KEYS", "without_extensions"]

MESSAGE_EXTENSION_KEYS: frozenset[str] = frozenset({"cache_control", "thinking_blocks", "is_error"})
PART_EXTENSION_KEYS: frozenset[str] = frozenset({"cache_control"})


def _strip(item: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in keys}


def _message(message: dict[str, Any]) -> dict[str, Any]:
    out = _strip(message, MESSAGE_EXTENSION_KEYS)
    content = out.get("content")
    if isinstance(content, list):
        out["content"] = [
            _strip(part, PART_EXTENSION_KEYS) if isinstance(part, dict) else part
            for part in content
        ]
    return out


def without_extensions(request: OpenAIChatRequest) -> OpenAIChatRequest:
    """A copy of ``request`` in plain OpenAI format (the original is not changed)."""
    messages = [_message(m) for m in request.messages]
    params = dict(request.params)
    tools = params.get("tools")
    if isinstance(tools, list):
        params["tools"] = [_strip(t, PART_EXTENSION_KEYS) for t in tools]
    return dataclasses.replace(request, messages=messages, params=params)
