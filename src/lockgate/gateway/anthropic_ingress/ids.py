"""Anthropic-style identifiers for messages and tool calls."""

from __future__ import annotations

import uuid

__all__ = ["message_id", "tool_use_id"]


def message_id(upstream_id: str) -> str:
    """``msg_...``: the upstream id kept inside it, so logs on both sides can be matched."""
    if upstream_id.startswith("msg_"):
        return upstream_id
    return f"msg_{upstream_id}" if upstream_id else f"msg_{uuid.uuid4().hex}"


def tool_use_id(upstream_id: str | None) -> str:
    """The upstream tool-call id as is (clients echo it back), or a fresh ``toolu_`` id."""
    return upstream_id if upstream_id else f"toolu_{uuid.uuid4().hex}"
