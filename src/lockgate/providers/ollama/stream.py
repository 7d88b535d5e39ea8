"""Ollama's NDJSON chat stream to OpenAI chunks (wire-formats §6.3).

Every line is one JSON object. Lines with ``done: false`` carry ``message.content`` (and
``thinking``) fragments, or whole tool calls; the ``done: true`` line ends the stream with
``done_reason`` and the counts, and becomes the finish chunk and the usage chunk. A line
``{"error": "..."}`` (Ollama keeps HTTP 200 when a stream fails midway) raises.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.call import ChatCall
from lockgate.providers.ollama.errors import error_from_text
from lockgate.providers.ollama.response import completion_id, finish_reason, ollama_usage, tool_call
from lockgate.transport.framing import StreamEvent
from lockgate.types import ChatCompletionChunk, ChunkChoice, Delta

__all__ = ["OllamaStreamParser"]


class OllamaStreamParser:
    __slots__ = ("_created", "_done", "_id", "_model", "_started", "_tools")

    def __init__(self, call: ChatCall) -> None:
        self._id = completion_id()
        self._created = int(time.time())
        self._model = call.model
        self._done = False
        self._started = False
        self._tools = 0

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
        try:
            payload = orjson.loads(event.data)
        except orjson.JSONDecodeError as exc:
            raise APIConnectionError("Ollama stream sent a line that is not JSON") from exc
        if not isinstance(payload, dict):
            raise APIConnectionError("Ollama stream sent a line that is not an object")
        if "error" in payload:
            raise error_from_text(str(payload["error"]), 500)
        if isinstance(payload.get("model"), str):
            self._model = payload["model"]
        chunks: list[ChatCompletionChunk] = []
        message = payload.get("message")
        message = message if isinstance(message, Mapping) else {}
        delta = self._delta(message)
        if delta is not None:
            chunks.append(self._chunk(delta))
        if payload.get("done") is True:
            self._done = True
            finish = finish_reason(payload.get("done_reason"), self._tools > 0)
            chunks.append(self._chunk(Delta(), finish))
            chunks.append(
                ChatCompletionChunk(
                    id=self._id,
                    created=self._created,
                    model=self._model,
                    choices=[],
                    usage=ollama_usage(payload),
                )
            )
        return chunks

    def _delta(self, message: Mapping[str, Any]) -> Delta | None:
        delta = Delta()
        if not self._started:
            self._started = True
            delta.role = "assistant"
        content = message.get("content")
        if isinstance(content, str) and content:
            delta.content = content
        thinking = message.get("thinking")
        if isinstance(thinking, str) and thinking:
            delta.reasoning_content = thinking
        calls = [c for c in message.get("tool_calls") or () if isinstance(c, Mapping)]
        if calls:
            delta.tool_calls = []
            for raw in calls:
                delta.tool_calls.append(tool_call(raw, index=self._tools))
                self._tools += 1
        if (
            delta.role is None
            and delta.content is None
            and delta.reasoning_content is None
            and delta.tool_calls is None
        ):
            return None
        if delta.role is not None and delta.content is None and delta.tool_calls is None:
            delta.content = ""
        return delta
