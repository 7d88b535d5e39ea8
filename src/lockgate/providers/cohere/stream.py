"""Cohere ``/v2/chat`` stream events to OpenAI chunks (wire-formats §6.1).

The JSON ``type`` field names the event (the ``event:`` line may be absent):
``message-start`` → the role chunk (and the id); ``content-delta`` → text (or thinking);
``tool-call-start`` → a tool call's opening chunk; ``tool-call-delta`` → argument
fragments; ``message-end`` → the finish chunk and the usage chunk, and the stream is done (or, when
it carries an ``error``, the stream failed: the error is raised).
``content-start``/``-end``, ``tool-plan-delta``, ``tool-call-end``, ``citation-*`` and
``debug`` carry nothing to pass on. A trailing ``data: [DONE]`` is tolerated.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.call import ChatCall
from lockgate.providers.cohere.response import cohere_usage, finish_reason
from lockgate.providers.error_mapping import build_error
from lockgate.transport.framing import StreamEvent
from lockgate.types import ChatCompletionChunk, ChunkChoice, Delta, FunctionCall, ToolCall

__all__ = ["CohereStreamParser"]

_DONE = b"[DONE]"


def _message_delta(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    delta = payload.get("delta")
    message = delta.get("message") if isinstance(delta, Mapping) else None
    return message if isinstance(message, Mapping) else {}


class CohereStreamParser:
    __slots__ = ("_created", "_done", "_id", "_model", "_tool_slots")

    def __init__(self, call: ChatCall) -> None:
        self._id = ""
        self._created = int(time.time())
        self._model = call.model
        self._done = False
        self._tool_slots: dict[int, int] = {}

    @property
    def done(self) -> bool:
        return self._done

    def _chunk(self, delta: Delta, finish: str | None = None) -> ChatCompletionChunk:
        return ChatCompletionChunk(
            id=self._id,
            created=self._created,
            model=self._model,
            choices=[ChunkChoice(index=0, delta=delta, finish_reason=finish)],
        )

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        if event.data.startswith(_DONE):
            self._done = True
            return []
        try:
            payload = orjson.loads(event.data)
        except orjson.JSONDecodeError as exc:
            raise APIConnectionError("Cohere stream sent an event that is not JSON") from exc
        if not isinstance(payload, dict):
            raise APIConnectionError("Cohere stream sent an event that is not an object")
        kind = payload.get("type") or event.event
        if kind is None or kind == "error":
            message = payload.get("message") or "Cohere stream error"
            raise build_error(500, str(message), {})
        match kind:
            case "message-start":
                self._id = str(payload.get("id") or self._id)
                return [self._chunk(Delta(role="assistant", content=""))]
            case "content-delta":
                return self._content(payload)
            case "tool-call-start":
                return self._tool_start(payload)
            case "tool-call-delta":
                return self._tool_delta(payload)
            case "message-end":
                return self._end(payload)
        return []

    def _content(self, payload: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        content = _message_delta(payload).get("content")
        if not isinstance(content, Mapping):
            return []
        if isinstance(content.get("text"), str):
            return [self._chunk(Delta(content=content["text"]))]
        if isinstance(content.get("thinking"), str):
            return [self._chunk(Delta(reasoning_content=content["thinking"]))]
        return []

    def _tool_start(self, payload: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        call = _message_delta(payload).get("tool_calls")
        if not isinstance(call, Mapping):
            return []
        function = call.get("function")
        function = function if isinstance(function, Mapping) else {}
        slot = self._tool_slots.setdefault(int(payload.get("index", 0)), len(self._tool_slots))
        tool = ToolCall(
            id=str(call.get("id", "")),
            function=FunctionCall(
                name=str(function.get("name", "")), arguments=str(function.get("arguments", ""))
            ),
            index=slot,
        )
        return [self._chunk(Delta(tool_calls=[tool]))]

    def _tool_delta(self, payload: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        call = _message_delta(payload).get("tool_calls")
        function = call.get("function") if isinstance(call, Mapping) else None
        fragment = function.get("arguments") if isinstance(function, Mapping) else None
        slot = self._tool_slots.get(int(payload.get("index", 0)))
        if not fragment or slot is None:
            return []
        tool = ToolCall(id=None, function=FunctionCall(arguments=str(fragment)), index=slot)
        return [self._chunk(Delta(tool_calls=[tool]))]

    def _end(self, payload: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        self._done = True
        delta = payload.get("delta")
        delta = delta if isinstance(delta, Mapping) else {}
        if delta.get("error"):  # a stream that failed midway: finish_reason ERROR
            raise build_error(500, str(delta["error"]), {})
        chunks = [self._chunk(Delta(), finish_reason(delta.get("finish_reason")))]
        usage = cohere_usage(delta.get("usage"))
        if usage is not None:
            chunks.append(
                ChatCompletionChunk(
                    id=self._id, created=self._created, model=self._model, choices=[], usage=usage
                )
            )
        return chunks
