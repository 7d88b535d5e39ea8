"""Azure's chat stream: OpenAI chunks, plus the first chunk with ``choices: []`` that only
carries ``prompt_filter_results`` (wire-formats §2.3)."""

from __future__ import annotations

from typing import Any

from lockgate.providers.openai.stream import OpenAIStreamParser
from lockgate.transport.framing import StreamEvent
from lockgate.types import ChatCompletionChunk

__all__ = ["AzureStreamParser"]


class AzureStreamParser:
    """The prompt-filter chunk is not passed on as a chunk of its own (it has no id, model
    or object); its ``prompt_filter_results`` ride on the next chunk instead. Azure's first
    choice chunk may have no ``delta`` at all: it gets the ``assistant`` role OpenAI sends."""

    __slots__ = ("_inner", "_prompt_filter", "_started")

    def __init__(self) -> None:
        self._inner = OpenAIStreamParser()
        self._prompt_filter: Any = None
        self._started = False

    @property
    def done(self) -> bool:
        return self._inner.done

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        out: list[ChatCompletionChunk] = []
        for chunk in self._inner.feed(event):
            if not chunk.choices and chunk.usage is None and not chunk.id:
                self._prompt_filter = chunk.extra.get("prompt_filter_results")
                continue
            if chunk.choices and not self._started:
                self._started = True
                delta = chunk.choices[0].delta
                if delta.role is None:
                    delta.role = "assistant"
            if self._prompt_filter is not None:
                chunk.extra.setdefault("prompt_filter_results", self._prompt_filter)
                self._prompt_filter = None
            out.append(chunk)
        return out
