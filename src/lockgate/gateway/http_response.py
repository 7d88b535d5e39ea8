"""Sending responses over ASGI: JSON, errors in the contract's shape, and SSE streams."""

from __future__ import annotations

from typing import Any

import orjson

from lockgate.errors import LockgateError
from lockgate.gateway.asgi_types import Send

__all__ = ["error_payload", "send_bytes", "send_json", "start_stream"]

_JSON = (b"content-type", b"application/json")
_SSE = (b"content-type", b"text/event-stream; charset=utf-8")


def _header_list(headers: dict[str, str] | None) -> list[tuple[bytes, bytes]]:
    if not headers:
        return []
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


async def send_bytes(
    send: Send,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
    content_type: tuple[bytes, bytes] = _JSON,
) -> None:
    raw_headers = [
        content_type,
        (b"content-length", str(len(body)).encode()),
        *_header_list(headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


async def send_json(
    send: Send, status: int, payload: Any, headers: dict[str, str] | None = None
) -> None:
    await send_bytes(send, status, orjson.dumps(payload), headers)


def error_payload(error: LockgateError) -> tuple[int, dict[str, Any]]:
    """(status, OpenAI error body). Only statuses of the contract leave the gateway."""
    status = error.status_code if 400 <= error.status_code <= 599 else 500
    return status, error.to_openai_error()


async def start_stream(send: Send, headers: dict[str, str] | None = None) -> None:
    raw_headers = [
        _SSE,
        (b"cache-control", b"no-cache"),
        (b"x-accel-buffering", b"no"),
        *_header_list(headers),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": raw_headers})
