"""ConverseStream events to OpenAI chunks (wire-formats §5.3).

Events (already unframed and CRC-checked by the transport): ``messageStart`` → the role
chunk; ``contentBlockStart`` with ``start.toolUse`` → a tool call's opening chunk (id,
name); ``contentBlockDelta`` → ``delta.text`` content, ``delta.toolUse.input`` argument
fragments, ``delta.reasoningContent.text`` reasoning; ``messageStop`` → the finish chunk;
``metadata`` (the last frame) → the usage chunk, and the stream is done. Payloads carry a
random padding field ``p``, ignored. An exception frame (``throttlingException``, ...)
raises the matching error; unknown event types are skipped.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.bedrock.errors import error_from_type
from lockgate.providers.bedrock.request import JSON_TOOL, bedrock_model_id, uses_json_tool
from lockgate.providers.bedrock.response import completion_id, finish_reason, usage_from
from lockgate.providers.call import ChatCall
from lockgate.transport.framing import StreamEvent
from lockgate.types import ChatCompletionChunk, ChunkChoice, Delta, FunctionCall, ToolCall

__all__ = ["BedrockStreamParser"]

_EVENTS = frozenset(
    {
        "messageStart",
        "contentBlockStart",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
    }
)


class BedrockStreamParser:
    __slots__ = (
        "_created",
        "_done",
        "_finish",
        "_id",
        "_json_blocks",
        "_json_mode",
        "_model",
        "_tool_index",
        "_tool_slots",
    )

    def __init__(self, call: ChatCall) -> None:
        self._id = completion_id()
        self._created = int(time.time())
        self._model = bedrock_model_id(call.model)
        self._json_mode = uses_json_tool(call)
        self._done = False
        self._finish: str | None = None
        # contentBlockIndex -> OpenAI tool_calls index.
        self._tool_slots: dict[int, int] = {}
        self._tool_index = 0
        # Blocks of the JSON-mode tool, whose input is streamed as content.
        self._json_blocks: set[int] = set()

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
        name = event.event or ""
        try:
            payload = orjson.loads(event.data) if event.data else {}
        except orjson.JSONDecodeError as exc:
            raise APIConnectionError("Bedrock stream sent an event that is not JSON") from exc
        if not isinstance(payload, dict):
            raise APIConnectionError("Bedrock stream sent an event that is not an object")
        if name not in _EVENTS:
            if isinstance(payload.get("message"), str) or name.endswith("Exception"):
                raise error_from_type(name, str(payload.get("message") or name), {})
            return []  # an event type added after this code was written
        match name:
            case "messageStart":
                return [self._chunk(Delta(role="assistant", content=""))]
            case "contentBlockStart":
                return self._block_start(payload)
            case "contentBlockDelta":
                return self._block_delta(payload)
            case "messageStop":
                return self._message_stop(payload)
            case "metadata":
                return self._metadata(payload)
        return []  # contentBlockStop carries nothing to pass on

    def _block_start(self, payload: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        start = payload.get("start")
        use = start.get("toolUse") if isinstance(start, Mapping) else None
        if not isinstance(use, Mapping):
            return []
        block = payload.get("contentBlockIndex", 0)
        if self._json_mode and use.get("name") == JSON_TOOL:
            self._json_blocks.add(block)
            return []
        index = self._tool_slots.setdefault(block, self._tool_index)
        if index == self._tool_index:
            self._tool_index += 1
        call = ToolCall(
            id=str(use.get("toolUseId", "")),
            function=FunctionCall(name=str(use.get("name", "")), arguments=""),
            index=index,
        )
        return [self._chunk(Delta(tool_calls=[call]))]

    def _block_delta(self, payload: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        delta = payload.get("delta")
        if not isinstance(delta, Mapping):
            return []
        block = payload.get("contentBlockIndex", 0)
        if isinstance(delta.get("text"), str):
            return [self._chunk(Delta(content=delta["text"]))]
        use = delta.get("toolUse")
        if isinstance(use, Mapping):
            fragment = str(use.get("input", ""))
            if block in self._json_blocks:
                return [self._chunk(Delta(content=fragment))] if fragment else []
            index = self._tool_slots.get(block)
            if index is None or not fragment:
                return []
            call = ToolCall(id=None, function=FunctionCall(arguments=fragment), index=index)
            call.type = "function"
            return [self._chunk(Delta(tool_calls=[call]))]
        reasoning = delta.get("reasoningContent")
        if isinstance(reasoning, Mapping):
            if isinstance(reasoning.get("text"), str):
                return [self._chunk(Delta(reasoning_content=reasoning["text"]))]
            if isinstance(reasoning.get("signature"), str):
                chunk = self._chunk(Delta())
                chunk.choices[0].delta.extra["thinking_signature"] = reasoning["signature"]
                return [chunk]
        return []

    def _message_stop(self, payload: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        finish = finish_reason(payload.get("stopReason"))
        if self._json_blocks and finish == "tool_calls" and not self._tool_slots:
            finish = "stop"
        self._finish = finish
        return [self._chunk(Delta(), finish)]

    def _metadata(self, payload: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        self._done = True
        usage = usage_from(payload.get("usage"))
        if usage is None:
            return []
        return [
            ChatCompletionChunk(
                id=self._id, created=self._created, model=self._model, choices=[], usage=usage
            )
        ]
