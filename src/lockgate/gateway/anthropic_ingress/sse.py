"""Server-sent events framed the way Anthropic sends them."""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["PING_EVENT", "sse_event"]

# Byte for byte what Anthropic sends (its ping payload, unlike the others, has a space).
PING_EVENT = b'event: ping\ndata: {"type": "ping"}\n\n'


def sse_event(payload: dict[str, Any]) -> bytes:
    """``event: <payload type>`` + ``data: <compact JSON>`` + blank line."""
    name: str = payload["type"]
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(payload) + b"\n\n"
