"""The fixed payloads of a benchmark: the request every target gets and the canned replies.

The reply is a real OpenAI chat completion (shape from wire-formats.md), compact, so the
upstream spends no time building it; the SSE body is the same answer as a chunk stream.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = [
    "CHAT_COMPLETION",
    "CHAT_STREAM",
    "MASTER_KEY",
    "UPSTREAM_KEY",
    "chat_request",
]

MASTER_KEY = "sk-bench-master"
UPSTREAM_KEY = "sk-bench"

_COMPLETION: dict[str, Any] = {
    "id": "chatcmpl-bench0000000000000000000000000",
    "object": "chat.completion",
    "created": 1741569952,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Hello! How can I assist you today?",
                "refusal": None,
                "annotations": [],
            },
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "prompt_tokens": 19,
        "completion_tokens": 10,
        "total_tokens": 29,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    },
    "service_tier": "default",
    "system_fingerprint": "fp_10c0c4a7e5",
}

CHAT_COMPLETION: bytes = orjson.dumps(_COMPLETION)


def _chunk(delta: dict[str, Any], finish: str | None) -> bytes:
    chunk = {
        "id": "chatcmpl-bench0000000000000000000000000",
        "object": "chat.completion.chunk",
        "created": 1741569952,
        "model": "gpt-4o-mini-2024-07-18",
        "service_tier": "default",
        "system_fingerprint": "fp_10c0c4a7e5",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    return b"data: " + orjson.dumps(chunk) + b"\n\n"


def _stream() -> bytes:
    words = ["Hello", "!", " How", " can", " I", " assist", " you", " today", "?"]
    parts = [_chunk({"role": "assistant", "content": "", "refusal": None}, None)]
    parts.extend(_chunk({"content": word}, None) for word in words)
    parts.append(_chunk({}, "stop"))
    parts.append(b"data: [DONE]\n\n")
    return b"".join(parts)


CHAT_STREAM: bytes = _stream()


def chat_request(model: str, *, stream: bool = False) -> bytes:
    """The body every target is sent: one short user message."""
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": "Hello, how are you?"}],
        "max_tokens": 64,
    }
    if stream:
        body["stream"] = True
    return orjson.dumps(body)
