"""Ollama examples from its own docs (SPEC, wire-formats §6.3), as the wire carries them:
one compact JSON object per line."""

from __future__ import annotations

from typing import Any

import orjson

STREAM_LINE: dict[str, Any] = {
    "model": "llama3.2",
    "created_at": "2023-08-04T08:52:19.385406455-07:00",
    "message": {"role": "assistant", "content": "The", "images": None},
    "done": False,
}
STREAM_FINAL: dict[str, Any] = {
    "model": "llama3.2",
    "created_at": "2023-08-04T19:22:45.499127Z",
    "message": {"role": "assistant", "content": ""},
    "done": True,
    "total_duration": 4883583458,
    "load_duration": 1334875,
    "prompt_eval_count": 26,
    "prompt_eval_duration": 342546000,
    "eval_count": 282,
    "eval_duration": 4535599000,
}
TOOL_LINE: dict[str, Any] = {
    "model": "llama3.2",
    "created_at": "2025-07-07T20:22:19.184789Z",
    "message": {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Tokyo"}}}],
    },
    "done": False,
}
TOOL_FINAL: dict[str, Any] = {
    "model": "llama3.2",
    "created_at": "2025-07-07T20:22:19.19314Z",
    "message": {"role": "assistant", "content": ""},
    "done_reason": "stop",
    "done": True,
    "total_duration": 182242375,
    "load_duration": 41295167,
    "prompt_eval_count": 169,
    "prompt_eval_duration": 24573166,
    "eval_count": 15,
    "eval_duration": 115959084,
}
NON_STREAM = (
    b'{"model":"llama3.2","created_at":"2023-12-12T14:13:43.416799Z","message":{"role":'
    b'"assistant","content":"Hello! How are you today?"},"done":true,"total_duration":'
    b'5191566416,"load_duration":2154458,"prompt_eval_count":26,"prompt_eval_duration":'
    b'383809000,"eval_count":298,"eval_duration":4799921000}'
)
# The mid-stream error of §6.3: HTTP 200, then an error line.
ERROR_LINE = b'{"error":"an error was encountered while running the model"}'


def ndjson(*objects: dict[str, Any] | bytes) -> bytes:
    return b"".join((o if isinstance(o, bytes) else orjson.dumps(o)) + b"\n" for o in objects)
