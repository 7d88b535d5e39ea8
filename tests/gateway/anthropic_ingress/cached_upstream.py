"""A one-answer Anthropic upstream on loopback: an answer with prompt-cache counts and
thinking, signature and redacted_thinking blocks, which the shared mock does not produce.

It speaks the Messages API wire format (wire-formats.md §3: compact JSON bodies, the SSE
event order of §3.3) and records every request body, like the mock's ``requests``.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"
REDACTED = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"
THINKING = "The cached prefix covers the rules. Answer briefly."
TEXT = "Cached answer."
# input_tokens excludes cached tokens (wire-formats §3.2); both cache counts non-zero.
USAGE: dict[str, Any] = {
    "input_tokens": 11,
    "cache_creation_input_tokens": 1500,
    "cache_read_input_tokens": 2055,
    "cache_creation": {"ephemeral_5m_input_tokens": 1500, "ephemeral_1h_input_tokens": 0},
    "output_tokens": 42,
    "service_tier": "standard",
}


def _compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _message(model: str) -> dict[str, Any]:
    return {
        "model": model,
        "id": "msg_01CachedAnswer4xYz",
        "type": "message",
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": THINKING, "signature": SIGNATURE},
            {"type": "redacted_thinking", "data": REDACTED},
            {"type": "text", "text": TEXT},
        ],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": USAGE,
    }


def _events(model: str) -> list[dict[str, Any]]:
    start = {**_message(model), "content": [], "stop_reason": None}
    start["usage"] = {**USAGE, "output_tokens": 1}
    return [
        {"type": "message_start", "message": start},
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""},
        },
        {"type": "ping"},
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": THINKING[:20]},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": THINKING[20:]},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "signature_delta", "signature": SIGNATURE},
        },
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "redacted_thinking", "data": REDACTED},
        },
        {"type": "content_block_stop", "index": 1},
        {"type": "content_block_start", "index": 2, "content_block": {"type": "text", "text": ""}},
        {
            "type": "content_block_delta",
            "index": 2,
            "delta": {"type": "text_delta", "text": TEXT},
        },
        {"type": "content_block_stop", "index": 2},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {
                "input_tokens": USAGE["input_tokens"],
                "cache_creation_input_tokens": USAGE["cache_creation_input_tokens"],
                "cache_read_input_tokens": USAGE["cache_read_input_tokens"],
                "output_tokens": USAGE["output_tokens"],
            },
        },
        {"type": "message_stop"},
    ]


@dataclass
class CachedUpstream:
    url: str
    bodies: list[dict[str, Any]] = field(default_factory=list)


@asynccontextmanager
async def cached_upstream() -> AsyncIterator[CachedUpstream]:
    upstream = CachedUpstream(url="")

    async def messages(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        upstream.bodies.append(body)
        if not request.headers.get("x-api-key") or not request.headers.get("anthropic-version"):
            return web.json_response({"type": "error"}, status=401)
        model = str(body.get("model", ""))
        if not body.get("stream"):
            return web.Response(text=_compact(_message(model)), content_type="application/json")
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8"})
        await response.prepare(request)
        for event in _events(model):
            frame = f"event: {event['type']}\ndata: {_compact(event)}\n\n"
            await response.write(frame.encode())
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/v1/messages", messages)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # bound here, so the port is known before serving
    await web.SockSite(runner, sock).start()
    upstream.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        yield upstream
    finally:
        await runner.cleanup()
        sock.close()
