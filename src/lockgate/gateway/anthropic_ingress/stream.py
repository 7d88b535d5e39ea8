"""OpenAI chat chunks to Anthropic's streaming events, one translator per stream.

Anthropic streams one content block at a time: ``content_block_start``, its deltas,
``content_block_stop``, then the next block with the next ``index``. OpenAI chunks mix
reasoning, text and tool-call fragments freely, so the translator closes the open block
whenever a fragment of another kind (or another tool call) arrives and opens a new one.

* ``delta.reasoning_content`` → a ``thinking`` block with ``thinking_delta``; a signature
  in ``delta.extra["thinking_blocks"]`` (LiteLLM's field) → ``signature_delta``, and a
  ``redacted_thinking`` entry there → a whole ``redacted_thinking`` block.
* ``delta.content`` (or ``delta.refusal``) → a ``text`` block with ``text_delta``.
* ``delta.tool_calls[i]`` → a ``tool_use`` block per distinct ``index`` (or id), opened once
  the tool's name is known, with each argument fragment as an ``input_json_delta``.
  Fragments for a tool call whose block was already closed (providers that interleave
  parallel calls) still go to that call's block ``index``; the Anthropic SDK accumulates
  by index, so nothing is lost.

The usage of the final OpenAI chunk (or the one given to :meth:`finish`) goes into
``message_delta``, with the input and cache counts, as Anthropic's newer streams send it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lockgate.gateway.anthropic_ingress.ids import message_id, tool_use_id
from lockgate.gateway.anthropic_ingress.sse import PING_EVENT, sse_event
from lockgate.gateway.anthropic_ingress.stop_reasons import (
    anthropic_stop_reason,
    matched_stop_sequence,
)
from lockgate.gateway.anthropic_ingress.usage import anthropic_usage
from lockgate.types import ChatCompletionChunk, Delta, ToolCall, Usage

__all__ = ["AnthropicStreamTranslator"]

_TEXT = "text"
_THINKING = "thinking"
_TOOL = "tool_use"


@dataclass(slots=True)
class _ToolState:
    """One OpenAI tool call: its block index once opened, its fragments until then."""

    call_id: str | None
    name: str | None = None
    block_index: int | None = None
    pending: list[str] = field(default_factory=list)


class AnthropicStreamTranslator:
    """Feed each OpenAI chunk, then call :meth:`finish` once; both return SSE bytes."""

    __slots__ = (
        "_block_count",
        "_finish_reason",
        "_finished",
        "_input_tokens",
        "_message_id",
        "_model",
        "_open_index",
        "_open_kind",
        "_pinged",
        "_started",
        "_stop_sequence",
        "_tool_keys",
        "_tools",
        "_usage",
    )

    def __init__(
        self, requested_model: str, *, message_id: str | None = None, input_tokens: int = 0
    ) -> None:
        """``input_tokens``: the prompt estimate for ``message_start`` (OpenAI streams tell
        the real count only at the end; ``message_delta`` then carries it)."""
        self._model = requested_model
        self._message_id = message_id
        self._input_tokens = input_tokens
        self._started = False
        self._finished = False
        self._pinged = False
        self._block_count = 0
        self._open_kind: str | None = None
        self._open_index = -1
        self._tools: list[_ToolState] = []
        self._tool_keys: dict[int, int] = {}  # OpenAI tool index → position in _tools
        self._finish_reason: str | None = None
        self._stop_sequence: str | None = None
        self._usage: Usage | None = None

    @property
    def started(self) -> bool:
        """True once ``message_start`` was produced: from then on a failure can only be
        reported in the stream (:func:`error_event`), no longer as an HTTP error status."""
        return self._started

    def feed(self, chunk: ChatCompletionChunk) -> list[bytes]:
        if self._finished:
            return []
        out = self._start(chunk.id, chunk.usage)
        if chunk.usage is not None:
            self._usage = chunk.usage
        for choice in chunk.choices:
            if choice.index != 0:
                continue  # Anthropic has no n: only the first choice is streamed
            self._delta(choice.delta, out)
            if choice.finish_reason is not None:
                self._finish_reason = choice.finish_reason
                self._stop_sequence = matched_stop_sequence(choice.extra)
        return out

    def finish(self, usage: Usage | None = None) -> list[bytes]:
        """Close the open block and end the message (``message_delta``, ``message_stop``)."""
        if self._finished:
            return []
        out = self._start("", None)
        for tool in self._tools:  # a tool call that never named itself still gets a block
            if tool.block_index is None:
                self._open_tool(tool, out)
        self._close(out)
        if usage is not None:
            self._usage = usage
        stop_reason = anthropic_stop_reason(
            self._finish_reason, has_tool_calls=bool(self._tools), stop_sequence=self._stop_sequence
        )
        stop_sequence = self._stop_sequence if stop_reason == "stop_sequence" else None
        out.append(
            sse_event(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": stop_reason, "stop_sequence": stop_sequence},
                    "usage": self._final_usage(),
                }
            )
        )
        out.append(sse_event({"type": "message_stop"}))
        self._finished = True
        return out

    # -- events -------------------------------------------------------------------------

    def _start(self, upstream_id: str, usage: Usage | None) -> list[bytes]:
        if self._started:
            return []
        self._started = True
        counts = anthropic_usage(usage)
        if usage is None:
            counts["input_tokens"] = self._input_tokens
        message: dict[str, Any] = {
            "model": self._model,
            "id": self._message_id or message_id(upstream_id),
            "type": "message",
            "role": "assistant",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": counts,
        }
        return [sse_event({"type": "message_start", "message": message})]

    def _final_usage(self) -> dict[str, int]:
        if self._usage is None:
            return {"output_tokens": 0}  # unknown; the message_start input count stands
        return anthropic_usage(self._usage)

    def _open(self, kind: str, block: dict[str, Any], out: list[bytes]) -> int:
        self._close(out)
        index = self._block_count
        self._block_count += 1
        self._open_kind, self._open_index = kind, index
        out.append(
            sse_event({"type": "content_block_start", "index": index, "content_block": block})
        )
        if not self._pinged:  # Anthropic sends one ping after the first block starts
            self._pinged = True
            out.append(PING_EVENT)
        return index

    def _close(self, out: list[bytes]) -> None:
        if self._open_kind is None:
            return
        out.append(sse_event({"type": "content_block_stop", "index": self._open_index}))
        self._open_kind = None

    def _emit(self, index: int, delta: dict[str, Any], out: list[bytes]) -> None:
        out.append(sse_event({"type": "content_block_delta", "index": index, "delta": delta}))

    # -- deltas -------------------------------------------------------------------------

    def _delta(self, delta: Delta, out: list[bytes]) -> None:
        if delta.reasoning_content:
            index = self._current(_THINKING, out)
            self._emit(index, {"type": "thinking_delta", "thinking": delta.reasoning_content}, out)
        self._carried_thinking(delta.extra.get("thinking_blocks"), out)
        text = delta.content if isinstance(delta.content, str) and delta.content else delta.refusal
        if text:
            index = self._current(_TEXT, out)
            self._emit(index, {"type": "text_delta", "text": text}, out)
        for position, call in enumerate(delta.tool_calls or ()):
            self._tool_fragment(position, call, out)

    def _current(self, kind: str, out: list[bytes]) -> int:
        """The index of the open block of ``kind``, opening one if another kind is open."""
        if self._open_kind == kind:
            return self._open_index
        empty: dict[str, Any] = (
            {"type": "text", "text": ""}
            if kind == _TEXT
            else {"type": "thinking", "thinking": "", "signature": ""}
        )
        return self._open(kind, empty, out)

    def _carried_thinking(self, blocks: Any, out: list[bytes]) -> None:
        # LiteLLM repeats the thinking text here next to reasoning_content: only the
        # signature and redacted blocks are new information.
        if not isinstance(blocks, list):
            return
        for block in blocks:
            if not isinstance(block, dict):
                continue
            signature = block.get("signature")
            if block.get("type") == "thinking" and isinstance(signature, str) and signature:
                index = self._current(_THINKING, out)
                self._emit(index, {"type": "signature_delta", "signature": signature}, out)
            elif block.get("type") == "redacted_thinking" and isinstance(block.get("data"), str):
                self._open(
                    "redacted_thinking", {"type": "redacted_thinking", "data": block["data"]}, out
                )
                self._close(out)

    def _tool_fragment(self, position: int, call: ToolCall, out: list[bytes]) -> None:
        key = call.index if call.index is not None else position
        slot = self._tool_keys.get(key)
        known = self._tools[slot] if slot is not None else None
        if known is None or (call.id and known.call_id and call.id != known.call_id):
            # A new call (a provider that reuses index 0 for every call is told apart by id).
            known = _ToolState(call_id=call.id)
            self._tool_keys[key] = len(self._tools)
            self._tools.append(known)
        if known.call_id is None and call.id:
            known.call_id = call.id
        if call.function.name and known.name is None:
            known.name = call.function.name
        arguments = call.function.arguments or ""
        if known.block_index is None:
            if arguments:
                known.pending.append(arguments)
            if known.name is not None:
                self._open_tool(known, out)
        elif arguments:
            self._emit(known.block_index, _json_delta(arguments), out)

    def _open_tool(self, tool: _ToolState, out: list[bytes]) -> None:
        block = {
            "type": "tool_use",
            "id": tool_use_id(tool.call_id),
            "name": tool.name or "",
            "input": {},
        }
        tool.block_index = self._open(_TOOL, block, out)
        # Anthropic opens every tool input with an empty fragment; clients may count on it.
        self._emit(tool.block_index, _json_delta(""), out)
        if tool.pending:
            self._emit(tool.block_index, _json_delta("".join(tool.pending)), out)
            tool.pending.clear()


def _json_delta(fragment: str) -> dict[str, Any]:
    return {"type": "input_json_delta", "partial_json": fragment}
