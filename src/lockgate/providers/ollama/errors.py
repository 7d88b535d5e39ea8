"""Ollama errors: ``{"error": "..."}`` with the HTTP status (wire-formats §6.3).

"prompt too long; exceeded max context length ..." is a context-window error; "model ...
not found, try pulling it first" is a 404 already.
"""

from __future__ import annotations

import orjson

from lockgate.errors import ContextWindowExceededError, LockgateError
from lockgate.providers.error_mapping import build_error
from lockgate.transport.messages import UpstreamResponse

__all__ = ["error_from_text", "map_ollama_error"]

_MAX_MESSAGE = 2000
_CONTEXT_MARKERS = ("context length", "prompt too long", "context window")


def error_from_text(
    message: str, status: int, headers: dict[str, str] | None = None
) -> LockgateError:
    message = message[:_MAX_MESSAGE]
    if status < 500 and any(m in message.lower() for m in _CONTEXT_MARKERS):
        return ContextWindowExceededError(message, status_code=400, retryable=False)
    return build_error(status, message, headers or {})


def map_ollama_error(response: UpstreamResponse) -> LockgateError:
    try:
        body = orjson.loads(response.body) if response.body else None
    except orjson.JSONDecodeError:
        body = None
    message = body.get("error") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message:
        snippet = response.body[:200].decode("utf-8", "replace").strip()
        message = f"Ollama returned HTTP {response.status}" + (f": {snippet}" if snippet else "")
    error = error_from_text(message, response.status)
    if error.retry_after is None:
        rebuilt = build_error(response.status, message[:_MAX_MESSAGE], response.headers)
        error.retry_after = rebuilt.retry_after
    return error
