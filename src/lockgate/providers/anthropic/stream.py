"""Anthropic's streaming events to OpenAI chat chunks, one parser per stream.

=============================================  ===============================================
Anthropic event                                chunk(s)
=============================================  ===============================================
``message_start``                              ``delta.role = "assistant"``, ``content = ""``
``content_block_start`` text / thinking        its text, if the block starts with some
``content_block_start`` tool_use               ``tool_calls[{index, id, name, arguments: ""}]``
``content_block_start`` redacted_thinking      ``delta.extra["thinking_blocks"]`` with it
``content_block_delta`` text_delta             ``delta.content``
``content_block_delta`` input_json_delta       ``tool_calls[{index, arguments: fragment}]``
                                               (JSON-mode tool: ``delta.content``)
``content_block_delta`` thinking_delta         ``delta.reasoning_content``
``content_block_delta`` signature_delta        ``delta.extra["thinking_blocks"] =
                                               [{"type": "thinking", "thinking": "",
                                               "signature": ...}]``
``message_delta``                              a chunk with ``finish_reason`` (and
                                               ``extra["stop_sequence"]``), then a usage-only
                                               chunk (``choices: []``)
``message_stop``                               the end (``done``)
``ping``, ``content_block_stop``, citations    nothing
``error``                                      the mapped exception (``overloaded_error`` →
                                               ServiceUnavailableError)
=============================================  ===============================================

Tool-call ``index`` counts tool calls (0, 1, ...), not Anthropic's block index.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.anthropic.errors import STATUS_BY_TYPE, anthropic_error
from lockgate.providers.anthropic.response import finish_reason, openai_usage, tool_arguments
from lockgate.providers.anthropic.tools import JSON_TOOL_NAME
from lockgate.transport.framing import StreamEvent
from lockgate.types import ChatCompletionChunk, ChunkChoice, Delta, FunctionCall, ToolCall

__all__ = ["AnthropicStreamParser"]


class AnthropicStreamParser:
    __slots__ = (
        "_created",
        "_done",
        "_id",
        "_json_blocks",
        "_json_tool",
        "_model",
        "_tool_slots",
        "_usage",
    )

    def __init__(self, *, json_tool: bool = False) -> None:
        self._json_tool = json_tool
        self._done = False
        self._id = ""
        self._model = ""
        self._created = int(time.time())
        self._usage: dict[str, Any] = {}
        self._tool_slots: dict[int, int] = {}  # Anthropic block index → OpenAI tool index
        self._json_blocks: set[int] = set()

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
        kind = payload.get("type") or event.event
        if kind == "message_start":
            return self._message_start(payload.get("message"))
        if kind == "content_block_start":
            return self._block_start(payload.get("index"), payload.get("content_block"))
        if kind == "content_block_delta":
            return self._block_delta(payload.get("index"), payload.get("delta"))
        if kind == "message_delta":
            return self._message_delta(payload)
        if kind == "message_stop":
            self._done = True
        elif kind == "error":
            raise _stream_error(payload)
        return []  # ping, content_block_stop and events added after this was written

    # -- chunks -------------------------------------------------------------------------

    def _chunk(self, delta: Delta | None, finish: str | None = None) -> ChatCompletionChunk:
        choices = [] if delta is None else [ChunkChoice(delta=delta, finish_reason=finish)]
        return ChatCompletionChunk(
            id=self._id, created=self._created, model=self._model, choices=choices
        )

    def _message_start(self, message: Any) -> list[ChatCompletionChunk]:
        if isinstance(message, Mapping):
            self._id = str(message.get("id") or "")
            self._model = str(message.get("model") or "")
            self._merge_usage(message.get("usage"))
        return [self._chunk(Delta(role="assistant", content=""))]

    def _merge_usage(self, usage: Any) -> None:
        if isinstance(usage, Mapping):
            self._usage.update({k: v for k, v in usage.items() if v is not None})

    def _block_start(self, index: Any, block: Any) -> list[ChatCompletionChunk]:
        if not isinstance(block, Mapping) or not isinstance(index, int):
            return []
        kind = block.get("type")
        if kind == "text" and block.get("text"):
            return [self._chunk(Delta(content=str(block["text"])))]
        if kind == "thinking" and block.get("thinking"):
            return [self._chunk(Delta(reasoning_content=str(block["thinking"])))]
        if kind == "redacted_thinking":
            delta = Delta()
            delta.extra["thinking_blocks"] = [
                {"type": "redacted_thinking", "data": block.get("data")}
            ]
            return [self._chunk(delta)]
        if kind != "tool_use":
            return []
        if self._json_tool and block.get("name") == JSON_TOOL_NAME:
            self._json_blocks.add(index)
            return []
        slot = len(self._tool_slots)
        self._tool_slots[index] = slot
        start_input = block.get("input")
        call = ToolCall(
            id=str(block.get("id") or ""),
            index=slot,
            function=FunctionCall(
                name=str(block.get("name") or ""),
                arguments=tool_arguments(start_input) if start_input else "",
            ),
        )
        return [self._chunk(Delta(tool_calls=[call]))]

    def _block_delta(self, index: Any, delta: Any) -> list[ChatCompletionChunk]:
        if not isinstance(delta, Mapping):
            return []
        kind = delta.get("type")
        if kind == "text_delta" and delta.get("text"):
            return [self._chunk(Delta(content=str(delta["text"])))]
        if kind == "thinking_delta" and delta.get("thinking"):
            return [self._chunk(Delta(reasoning_content=str(delta["thinking"])))]
        if kind == "signature_delta" and delta.get("signature"):
            out = Delta()
            out.extra["thinking_blocks"] = [
                {"type": "thinking", "thinking": "", "signature": str(delta["signature"])}
            ]
            return [self._chunk(out)]
        if kind == "input_json_delta" and delta.get("partial_json"):
            fragment = str(delta["partial_json"])
            if index in self._json_blocks:
                return [self._chunk(Delta(content=fragment))]
            slot = self._tool_slots.get(index) if isinstance(index, int) else None
            if slot is None:
                return []
            call = ToolCall(index=slot, function=FunctionCall(arguments=fragment))
            return [self._chunk(Delta(tool_calls=[call]))]
        return []

    def _message_delta(self, payload: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        self._merge_usage(payload.get("usage"))
        delta = payload.get("delta")
        delta = delta if isinstance(delta, Mapping) else {}
        finish = finish_reason(delta.get("stop_reason"))
        if finish == "tool_calls" and self._json_blocks and not self._tool_slots:
            finish = "stop"  # the JSON-mode tool answered: that is the text
        out: list[ChatCompletionChunk] = []
        if finish is not None:
            chunk = self._chunk(Delta(), finish)
            if isinstance(delta.get("stop_sequence"), str):
                chunk.choices[0].extra["stop_sequence"] = delta["stop_sequence"]
            out.append(chunk)
        usage_chunk = self._chunk(None)
        usage_chunk.usage = openai_usage(self._usage)
        out.append(usage_chunk)
        return out


def _stream_error(payload: Mapping[str, Any]) -> Exception:
    error = payload.get("error")
    error = error if isinstance(error, Mapping) else {}
    error_type = error.get("type") if isinstance(error.get("type"), str) else "api_error"
    message = error.get("message") if isinstance(error.get("message"), str) else ""
    status = STATUS_BY_TYPE.get(str(error_type), 500)
    return anthropic_error(status, message or "upstream stream error", str(error_type), {})
