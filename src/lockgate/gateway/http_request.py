"""One inbound HTTP request: headers, bounded body, and the request's bookkeeping."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from lockgate.errors import BadRequestError, LockgateError
from lockgate.gateway.asgi_types import Message, Receive, Scope

__all__ = ["ClientDisconnected", "HttpRequest", "PayloadTooLargeError", "read_body"]


class PayloadTooLargeError(LockgateError):
    default_status = 413
    default_type = "invalid_request_error"


class ClientDisconnected(Exception):
    """The client went away before its request body was read."""


@dataclass(slots=True)
class HttpRequest:
    method: str
    path: str  # without the /v1 prefix
    raw_path: str
    query: bytes
    headers: dict[str, str]
    request_id: str
    started: float = field(default_factory=time.perf_counter)
    body: bytes = b""
    # Filled in as the request moves through the pipeline (for logs and metrics).
    model: str | None = None
    deployment: str | None = None
    provider_seconds: float = 0.0
    principal: Any = None

    @classmethod
    def from_scope(
        cls, scope: Scope, new_id: Callable[[], str] = lambda: uuid.uuid4().hex
    ) -> HttpRequest:
        raw_headers = scope["headers"]
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in raw_headers
        }
        if len(headers) < len(raw_headers):  # a repeated field: its values joined, in order
            headers = _joined_headers(raw_headers)
        raw_path: str = scope["path"]
        path = raw_path[3:] if raw_path.startswith("/v1/") else raw_path
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        incoming_id = headers.get("x-request-id", "")
        # Accept a caller's request id only if it is short and printable (it is logged).
        request_id = (
            incoming_id if 0 < len(incoming_id) <= 128 and incoming_id.isprintable() else new_id()
        )
        return cls(
            scope["method"], path, raw_path, scope.get("query_string", b""), headers, request_id
        )

    def json_object(self) -> dict[str, Any]:
        """The body parsed once as a JSON object, or a 400 saying what is wrong."""
        if not self.body:
            raise BadRequestError("request body is empty; expected a JSON object")
        try:
            data = orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise BadRequestError(f"request body is not valid JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise BadRequestError("request body must be a JSON object")
        return data


def _joined_headers(raw_headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw_headers:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


async def read_body(receive: Receive, limit: int) -> bytes:
    """Read the whole body; more than ``limit`` bytes is a 413."""
    message = await receive()
    if message["type"] == "http.request" and not message.get("more_body", False):
        body: bytes = message.get("body", b"")  # the usual body: in one message
        if len(body) > limit:
            raise PayloadTooLargeError(f"request body exceeds the limit of {limit} bytes")
        return body
    return await _read_parts(receive, limit, message)


async def _read_parts(receive: Receive, limit: int, message: Message) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if message["type"] == "http.disconnect":
            raise ClientDisconnected()
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        message = await receive()
