"""Anthropic-only keys an OpenAI-format call may carry, and removing them for other protocols.

An OpenAI-format call can hold what only Anthropic's protocol understands (LiteLLM's field
names, so SDK callers and ``/v1/messages`` write them the same way):

* ``cache_control`` on a content part, a whole message or a tool;
* ``thinking_blocks`` (thinking with its signature, ``redacted_thinking``) on an assistant
  message, and ``is_error`` on a tool message;
* ``anthropic_params``: a parameter holding Anthropic request fields with no OpenAI
  equivalent (``thinking``, ``top_k``, ``output_config``, top-level ``cache_control``),
  verbatim.

Which protocol answers is known only once the router has picked a deployment, so the call
carries all of it to the adapter. ``anthropic_params`` reaches only adapters whose
``supported_params`` list it (Anthropic, Vertex AI for Claude): the client drops it for every
other one. Adapters that forward OpenAI messages or tools as they are (OpenAI and
OpenAI-compatible, Azure, Cohere's and Ollama's tools) remove the other keys with
:func:`plain_messages` / :func:`plain_tools`; adapters that build their own message format
(Gemini, Bedrock) read what they can use (Bedrock: ``cachePoint``, ``reasoningContent``) and
never copy the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "ANTHROPIC_NATIVE_PARAMS",
    "ANTHROPIC_PARAMS",
    "MESSAGE_EXTENSION_KEYS",
    "PART_EXTENSION_KEYS",
    "plain_messages",
    "plain_tools",
]

ANTHROPIC_PARAMS = "anthropic_params"
# The request fields ``anthropic_params`` may hold: Anthropic knobs with no OpenAI
# parameter. Anything else there is refused, so it cannot override what the gateway
# decides (``model``, ``messages``, ``max_tokens``, ...).
ANTHROPIC_NATIVE_PARAMS: frozenset[str] = frozenset(
    {"thinking", "top_k", "output_config", "cache_control"}
)
MESSAGE_EXTENSION_KEYS: frozenset[str] = frozenset({"cache_control", "thinking_blocks", "is_error"})
PART_EXTENSION_KEYS: frozenset[str] = frozenset({"cache_control"})


def _marked_parts(content: Any) -> bool:
    return isinstance(content, list) and any(
        isinstance(part, Mapping) and "cache_control" in part for part in content
    )


def _has_extension(message: Mapping[str, Any]) -> bool:
    return (
        "cache_control" in message
        or "thinking_blocks" in message
        or "is_error" in message
        or _marked_parts(message.get("content"))
    )


def _plain_message(message: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in message.items() if k not in MESSAGE_EXTENSION_KEYS}
    content = out.get("content")
    if isinstance(content, list):
        out["content"] = [
            {k: v for k, v in part.items() if k not in PART_EXTENSION_KEYS}
            if isinstance(part, Mapping)
            else part
            for part in content
        ]
    return out


def plain_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``messages`` without the Anthropic-only keys: the same list when it has none (the
    common case costs one scan), else a copy; the caller's dicts are never changed (a
    fallback deployment may still need them)."""
    if not any(_has_extension(m) for m in messages):
        return messages
    return [_plain_message(m) if _has_extension(m) else m for m in messages]


def plain_tools(tools: Sequence[Any]) -> list[Any]:
    """``tools`` without ``cache_control`` markers (a copy of the marked ones only)."""
    return [
        {k: v for k, v in tool.items() if k not in PART_EXTENSION_KEYS}
        if isinstance(tool, Mapping) and "cache_control" in tool
        else tool
        for tool in tools
    ]
