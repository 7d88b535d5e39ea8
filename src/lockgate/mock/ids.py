"""Identifiers in each provider's own format (unique, not meaningful)."""

from __future__ import annotations

import base64
import os

__all__ = [
    "anthropic_message_id",
    "anthropic_request_id",
    "anthropic_signature",
    "anthropic_tool_use_id",
    "chat_completion_id",
    "gemini_response_id",
    "openai_call_id",
    "openai_request_id",
    "responses_id",
    "text_completion_id",
]

# Random base64 with its two symbols (and, for Anthropic's base58-like ids, the look-alike
# characters) mapped to letters: C-speed random strings for the hot path.
_ALNUM = bytes.maketrans(b"+/", b"xY")
_BASE58 = bytes.maketrans(b"+/0OIl", b"xYabcd")


def _pick(table: bytes, length: int) -> str:
    return base64.b64encode(os.urandom(length)).translate(table)[:length].decode()


def chat_completion_id() -> str:
    return "chatcmpl-" + _pick(_ALNUM, 29)


def text_completion_id() -> str:
    return "cmpl-" + _pick(_ALNUM, 29)


def openai_call_id() -> str:
    return "call_" + _pick(_ALNUM, 24)


def openai_request_id() -> str:
    return "req_" + os.urandom(16).hex()


def responses_id(prefix: str) -> str:
    """`resp_`, `msg_` and `fc_` ids of the Responses API: 48 hex digits."""
    return f"{prefix}_" + os.urandom(24).hex()


def anthropic_message_id() -> str:
    return "msg_01" + _pick(_BASE58, 22)


def anthropic_tool_use_id() -> str:
    return "toolu_01" + _pick(_BASE58, 22)


def anthropic_request_id() -> str:
    return "req_011C" + _pick(_BASE58, 20)


def anthropic_signature(seed: str) -> str:
    """An opaque base64 blob shaped like a thinking-block signature."""
    return base64.b64encode(b"\x12\x0c" + seed.encode()[:64] + os.urandom(32)).decode()


def gemini_response_id() -> str:
    return base64.urlsafe_b64encode(os.urandom(17)).decode().rstrip("=")
