"""Gemini's ``streamGenerateContent?alt=sse`` events to OpenAI chat chunks.

Each event is a whole ``GenerateContentResponse`` holding only the new parts, with running
``usageMetadata``. There is no end marker: the server closes the connection after the chunk
that carries ``finishReason``, so that chunk marks the stream complete (``done``) and is
followed by the usage-only chunk (``choices: []``). A function call arrives whole in one
event and becomes one ``tool_calls`` entry with its arguments complete. An event holding
``{"error": {...}}`` is raised as the mapped exception; a blocked prompt, or a safety stop
before any content, as ContentPolicyViolationError.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.gemini.errors import google_error
from lockgate.providers.gemini.response import (
    SAFETY_FINISH_REASONS,
    blocked_prompt_error,
    candidate_parts,
    finish_reason,
    new_tool_call,
    openai_usage,
    safety_error,
)
from lockgate.transport.framing import StreamEvent
from lockgate.types import ChatCompletionChunk, ChunkChoice, Delta, ToolCall

__all__ = ["GeminiStreamParser"]


class GeminiStreamParser:
    __slots__ = ("_created", "_done", "_id", "_model", "_started", "_tool_counts", "_with_content")

    def __init__(self, model: str) -> None:
        self._done = False
        self._model = model
        self._id = ""
        self._created = int(time.time())
        self._started: set[int] = set()  # candidates whose role chunk was sent
        self._with_content: set[int] = set()  # candidates that produced any content
        self._tool_counts: dict[int, int] = {}

    @property
    def done(self) -> bool:
        return self._done

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        try:
            payload = orjson.loads(event.data)
        except orjson.JSONDecodeError as exc:
            raise APIConnectionError("upstream stream sent an event that is not JSON") from exc
        if not isinstance(payload, dict):
            raise APIConnectionError("upstream stream sent an event that is not an object")
        error = payload.get("error")
        if isinstance(error, Mapping):
            code = error.get("code")
            raise google_error(code if isinstance(code, int) else 500, error, {})
        blocked = blocked_prompt_error(payload)
        if blocked is not None:
            raise blocked
        self._id = str(payload.get("responseId") or self._id)
        self._model = str(payload.get("modelVersion") or self._model)
        candidates = payload.get("candidates")
        chunks: list[ChatCompletionChunk] = []
        finished = False
        for position, candidate in enumerate(candidates if isinstance(candidates, list) else ()):
            if not isinstance(candidate, Mapping):
                continue
            chunk = self._candidate(candidate, position)
            if chunk is not None:
                chunks.append(chunk)
            finished = finished or isinstance(candidate.get("finishReason"), str)
        if finished:
            usage = self._chunk([])
            usage.usage = openai_usage(payload.get("usageMetadata"))
            chunks.append(usage)
            self._done = True
        return chunks

    def _chunk(self, choices: list[ChunkChoice]) -> ChatCompletionChunk:
        return ChatCompletionChunk(
            id=self._id, created=self._created, model=self._model, choices=choices
        )

    def _candidate(self, candidate: Mapping[str, Any], position: int) -> ChatCompletionChunk | None:
        raw_index = candidate.get("index")
        index = raw_index if isinstance(raw_index, int) else position
        texts: list[str] = []
        thoughts: list[str] = []
        calls: list[ToolCall] = []
        for part in candidate_parts(candidate):
            if isinstance(part.get("functionCall"), Mapping):
                slot = self._tool_counts.get(index, 0)
                self._tool_counts[index] = slot + 1
                calls.append(
                    new_tool_call(part["functionCall"], part.get("thoughtSignature"), slot)
                )
            elif isinstance(part.get("text"), str) and part["text"]:
                (thoughts if part.get("thought") is True else texts).append(part["text"])
        reason = candidate.get("finishReason")
        if texts or thoughts or calls:
            self._with_content.add(index)
        elif reason in SAFETY_FINISH_REASONS and index not in self._with_content:
            raise safety_error(str(reason))
        delta = Delta(
            content="".join(texts) if texts else None,
            reasoning_content="".join(thoughts) if thoughts else None,
            tool_calls=calls or None,
        )
        if index not in self._started:
            self._started.add(index)
            delta.role = "assistant"
            delta.content = delta.content or ""
        finish = finish_reason(reason, self._tool_counts.get(index, 0) > 0)
        if delta == Delta() and finish is None:
            return None
        return self._chunk([ChunkChoice(index=index, delta=delta, finish_reason=finish)])
