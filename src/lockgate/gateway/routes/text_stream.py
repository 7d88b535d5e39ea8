"""``POST /v1/completions`` with ``stream: true``: OpenAI's legacy text-completion chunks.

The prompt is sent as one user message to the routed chat stream, which every provider
serves, and each chat chunk is re-shaped as a ``text_completion`` chunk: ``choices[].text``,
``finish_reason``, the usage-only chunk when ``stream_options.include_usage`` asked for it,
then ``data: [DONE]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Final

import orjson

from lockgate.errors import BadRequestError
from lockgate.gateway.dispatcher import ChunkStream
from lockgate.types import ChatCompletionChunk

__all__ = ["prompt_messages", "text_chunk", "text_sse_events"]

_DONE: Final = b"data: [DONE]\n\n"
# Legacy-only parameters a chat stream cannot honour, with the values that ask for nothing:
# anything else is refused rather than silently dropped.
_LEGACY_ONLY: Final = (("echo", (False,)), ("suffix", ("",)), ("logprobs", ()), ("best_of", (1,)))


def prompt_messages(prompt: Any, params: dict[str, Any]) -> list[dict[str, str]]:
    """The chat messages for one streamed prompt (a string, or a list holding one string);
    removes the legacy-only parameters from ``params``."""
    for name, harmless in _LEGACY_ONLY:
        value = params.pop(name, None)
        if value is not None and value not in harmless:
            raise BadRequestError(f"'{name}' is not supported with stream=true", param=name)
    if isinstance(prompt, list):
        if len(prompt) != 1:
            raise BadRequestError(
                "stream=true takes one prompt: a string or a list of one string", param="prompt"
            )
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise BadRequestError("'prompt': must be a string when stream=true", param="prompt")
    return [{"role": "user", "content": prompt}]


def text_chunk(chunk: ChatCompletionChunk) -> dict[str, Any] | None:
    """The legacy chunk for one chat chunk, or None when it carries nothing to say (the
    opening role-only delta, a tool-call delta)."""
    choices = [
        {
            "text": choice.delta.content or "",
            "index": choice.index,
            "logprobs": None,
            "finish_reason": choice.finish_reason,
        }
        for choice in chunk.choices
        if choice.delta.content or choice.finish_reason is not None
    ]
    if not choices and chunk.usage is None:
        return None
    payload: dict[str, Any] = {
        "id": chunk.id,
        "object": "text_completion",
        "created": chunk.created,
        "choices": choices,
        "model": chunk.model,
    }
    if chunk.system_fingerprint is not None:
        payload["system_fingerprint"] = chunk.system_fingerprint
    if chunk.usage is not None:
        payload["usage"] = chunk.usage.model_dump(exclude_none=True)
    return payload


async def text_sse_events(stream: ChunkStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        payload = text_chunk(chunk)
        if payload is not None:
            yield b"data: " + orjson.dumps(payload) + b"\n\n"
    yield _DONE
