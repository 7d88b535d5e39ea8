"""OpenAI ``finish_reason`` to Anthropic ``stop_reason``.

=====================  ==========================================================
OpenAI                 Anthropic
=====================  ==========================================================
``stop``               ``end_turn``; ``stop_sequence`` when the upstream names the
                       matched sequence; ``tool_use`` when the turn has tool calls
``length``             ``max_tokens``
``tool_calls``         ``tool_use`` (also the legacy ``function_call``)
``content_filter``     ``refusal``
none / unknown         ``end_turn`` (``tool_use`` when the turn has tool calls)
an Anthropic value     itself (an Anthropic-protocol upstream may pass its own)
=====================  ==========================================================

OpenAI does not say which stop sequence matched. An adapter that knows it (Anthropic's
``stop_sequence``) puts it in the choice's ``extra["stop_sequence"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["STOP_REASONS", "anthropic_stop_reason", "matched_stop_sequence"]

STOP_REASONS: frozenset[str] = frozenset(
    {
        "end_turn",
        "max_tokens",
        "stop_sequence",
        "tool_use",
        "pause_turn",
        "refusal",
        "model_context_window_exceeded",
    }
)
_BY_FINISH_REASON: Mapping[str, str] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}


def matched_stop_sequence(extra: Mapping[str, Any]) -> str | None:
    value = extra.get("stop_sequence")
    return value if isinstance(value, str) else None


def anthropic_stop_reason(
    finish_reason: str | None, *, has_tool_calls: bool, stop_sequence: str | None
) -> str:
    if finish_reason in STOP_REASONS:
        return finish_reason
    if finish_reason in (None, "stop"):
        # Some providers (Gemini, Ollama) report "stop" for a turn that called tools.
        if has_tool_calls:
            return "tool_use"
        if stop_sequence is not None:
            return "stop_sequence"
        return "end_turn"
    return _BY_FINISH_REASON.get(finish_reason, "end_turn")
