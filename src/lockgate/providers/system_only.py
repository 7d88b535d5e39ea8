"""A conversation made only of system messages, for providers that need a user turn.

OpenAI accepts a prompt given entirely as system (or developer) messages; Anthropic and
Gemini take the system prompt beside the conversation and refuse an empty conversation.
Such a prompt is sent as the user turn instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["system_only_as_user"]

_SYSTEM_ROLES = ("system", "developer")


def system_only_as_user(messages: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    if not messages or any(m.get("role") not in _SYSTEM_ROLES for m in messages):
        return messages
    return [{**m, "role": "user"} for m in messages]
