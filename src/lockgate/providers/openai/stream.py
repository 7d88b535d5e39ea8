"""OpenAI-protocol stream events (``data: {chunk}`` … ``data: [DONE]``) to chunks."""

from __future__ import annotations

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.error_mapping import build_error
from lockgate.providers.openai.chat import split_typed_content
from lockgate.providers.openai.errors import openai_error_fields
from lockgate.transport.framing import StreamEvent
from lockgate.types import ChatCompletionChunk

__all__ = ["OpenAIStreamParser"]

_DONE = b"[DONE]"


class OpenAIStreamParser:
    __slots__ = ("_done",)

    def __init__(self) -> None:
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        data = event.data
        if data.startswith(_DONE):
            self._done = True
            return []
        try:
            payload = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise APIConnectionError("upstream stream sent an event that is not JSON") from exc
        if not isinstance(payload, dict):
            raise APIConnectionError("upstream stream sent an event that is not an object")
        if "error" in payload:  # a mid-stream error, as the OpenAI SDK reads it
            message, error_type, code, param = openai_error_fields(payload)
            status = _status_of(code, error_type)
            raise build_error(
                status,
                message or "upstream stream error",
                {},
                code=code,
                error_type=error_type,
                param=param,
            )
        chunk = ChatCompletionChunk.from_dict(payload)
        for choice in chunk.choices:
            content: object = choice.delta.content
            if isinstance(content, list):  # Mistral reasoning models: typed parts
                thinking, text = split_typed_content(content)
                choice.delta.content = text
                if thinking:
                    choice.delta.reasoning_content = thinking
        return [chunk]


def _status_of(code: str | None, error_type: str | None) -> int:
    text = f"{code} {error_type}"
    if "rate_limit" in text:
        return 429
    if "overloaded" in text or "unavailable" in text:
        return 503
    if "invalid_request" in text:
        return 400
    return 500
