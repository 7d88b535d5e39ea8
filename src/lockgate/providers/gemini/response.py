"""A Gemini ``GenerateContentResponse`` to an OpenAI ChatCompletion (one choice per candidate).

* ``text`` parts → ``content``; parts with ``thought: true`` → ``reasoning_content``;
  ``functionCall`` parts → ``tool_calls`` (Gemini has no call ids: lockgate makes them, with
  the part's ``thoughtSignature`` appended after ``__thought__`` so it can be echoed back).
* ``finishReason``: STOP → stop (tool_calls when the turn called functions), MAX_TOKENS →
  length, the safety family (SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII,
  IMAGE_SAFETY, ...) → content_filter, anything else → stop.
* A blocked prompt (``promptFeedback.blockReason``, no candidates), or a safety stop before
  any content, is a :class:`~lockgate.errors.ContentPolicyViolationError`; a safety stop
  after partial content is ``finish_reason: "content_filter"``.
* ``usageMetadata``: prompt = ``promptTokenCount`` + ``toolUsePromptTokenCount``; completion
  = ``candidatesTokenCount`` + ``thoughtsTokenCount`` (reasoning_tokens); cached_tokens =
  ``cachedContentTokenCount``; audio prompt tokens from ``promptTokensDetails``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError, ContentPolicyViolationError
from lockgate.providers.gemini.messages import THOUGHT_SEPARATOR
from lockgate.types import (
    ChatCompletion,
    Choice,
    CompletionTokensDetails,
    FunctionCall,
    Message,
    PromptTokensDetails,
    ToolCall,
    Usage,
)

__all__ = [
    "SAFETY_FINISH_REASONS",
    "blocked_prompt_error",
    "candidate_parts",
    "finish_reason",
    "new_tool_call",
    "openai_usage",
    "parse_gemini_response",
    "safety_error",
]

SAFETY_FINISH_REASONS = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
    }
)


def finish_reason(reason: Any, called_tools: bool) -> str | None:
    if not isinstance(reason, str):
        return None
    if reason == "MAX_TOKENS":
        return "length"
    if reason in SAFETY_FINISH_REASONS:
        return "content_filter"
    return "tool_calls" if called_tools else "stop"


def _count(meta: Mapping[str, Any], name: str) -> int:
    value = meta.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _audio_tokens(meta: Mapping[str, Any]) -> int | None:
    details = meta.get("promptTokensDetails")
    if not isinstance(details, list):
        return None
    audio = [
        _count(d, "tokenCount")
        for d in details
        if isinstance(d, Mapping) and d.get("modality") == "AUDIO"
    ]
    return sum(audio) if audio else None


def openai_usage(meta: Any) -> Usage | None:
    if not isinstance(meta, Mapping):
        return None
    prompt = _count(meta, "promptTokenCount") + _count(meta, "toolUsePromptTokenCount")
    thoughts = _count(meta, "thoughtsTokenCount")
    completion = _count(meta, "candidatesTokenCount") + thoughts
    total = _count(meta, "totalTokenCount") or prompt + completion
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=total,
        prompt_tokens_details=PromptTokensDetails(
            cached_tokens=_count(meta, "cachedContentTokenCount"),
            audio_tokens=_audio_tokens(meta),
        ),
        completion_tokens_details=CompletionTokensDetails(reasoning_tokens=thoughts),
    )


def blocked_prompt_error(data: Mapping[str, Any]) -> ContentPolicyViolationError | None:
    feedback = data.get("promptFeedback")
    reason = feedback.get("blockReason") if isinstance(feedback, Mapping) else None
    if not isinstance(reason, str) or data.get("candidates"):
        return None
    return ContentPolicyViolationError(
        f"Gemini blocked the prompt (blockReason {reason})", code=reason, retryable=False
    )


def safety_error(reason: str) -> ContentPolicyViolationError:
    return ContentPolicyViolationError(
        f"Gemini stopped the answer for safety (finishReason {reason})",
        code=reason,
        retryable=False,
    )


def new_tool_call(function_call: Mapping[str, Any], signature: Any, index: int | None) -> ToolCall:
    call_id = "call_" + os.urandom(12).hex()
    if isinstance(signature, str) and signature:
        call_id += THOUGHT_SEPARATOR + signature
    return ToolCall(
        id=call_id,
        index=index,
        function=FunctionCall(
            name=str(function_call.get("name") or ""),
            arguments=orjson.dumps(function_call.get("args") or {}).decode(),
        ),
    )


def candidate_parts(candidate: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    content = candidate.get("content")
    parts = content.get("parts") if isinstance(content, Mapping) else None
    return [p for p in parts if isinstance(p, Mapping)] if isinstance(parts, list) else []


def _choice(candidate: Mapping[str, Any], position: int) -> tuple[Choice, str | None]:
    """The choice, and the safety reason when the candidate was stopped before any content."""
    texts: list[str] = []
    thoughts: list[str] = []
    calls: list[ToolCall] = []
    for part in candidate_parts(candidate):
        if isinstance(part.get("functionCall"), Mapping):
            calls.append(new_tool_call(part["functionCall"], part.get("thoughtSignature"), None))
        elif isinstance(part.get("text"), str):
            (thoughts if part.get("thought") is True else texts).append(part["text"])
    reason = candidate.get("finishReason")
    blocked = str(reason) if reason in SAFETY_FINISH_REASONS and not texts and not calls else None
    message = Message(
        content="".join(texts) if texts or not calls else None,
        tool_calls=calls or None,
        reasoning_content="".join(thoughts) if thoughts else None,
    )
    index = candidate.get("index")
    choice = Choice(
        index=index if isinstance(index, int) else position,
        message=message,
        finish_reason=finish_reason(reason, bool(calls)),
    )
    return choice, blocked


def parse_gemini_response(data: Mapping[str, Any], model: str) -> ChatCompletion:
    blocked = blocked_prompt_error(data)
    if blocked is not None:
        raise blocked
    candidates = data.get("candidates")
    candidates = candidates if isinstance(candidates, list) else []
    parsed = [_choice(c, i) for i, c in enumerate(candidates) if isinstance(c, Mapping)]
    if not parsed:
        raise APIConnectionError("upstream response has no candidates")
    if all(blocked is not None for _, blocked in parsed):
        raise safety_error(str(parsed[0][1]))
    choices = [choice for choice, _ in parsed]
    return ChatCompletion(
        id=str(data.get("responseId") or "chatcmpl-" + os.urandom(16).hex()),
        created=int(time.time()),
        model=str(data.get("modelVersion") or model),
        choices=choices,
        usage=openai_usage(data.get("usageMetadata")),
    )
