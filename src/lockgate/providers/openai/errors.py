"""Map an OpenAI-protocol error response (OpenAI, Azure, Mistral, vLLM, ...) to an exception."""

from __future__ import annotations

from typing import Any

import orjson

from lockgate.errors import LockgateError
from lockgate.providers.error_mapping import build_error
from lockgate.transport.messages import UpstreamResponse

__all__ = ["map_openai_error", "openai_error_fields"]

_MAX_MESSAGE = 2000


def openai_error_fields(body: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """(message, type, code, param) from the error shapes OpenAI-like servers send."""
    if not isinstance(body, dict):
        return None, None, None, None
    error = body.get("error")
    if isinstance(error, dict):  # {"error": {"message", "type", "param", "code"}}
        code = error.get("code")
        return (
            _text(error.get("message")),
            _text(error.get("type")),
            None if code is None else str(code),
            _text(error.get("param")),
        )
    if isinstance(error, str):  # {"error": "..."} (vLLM, Ollama's OpenAI routes)
        return error, None, None, None
    if body.get("object") == "error":  # Mistral: {"object": "error", "message", "type", ...}
        code = body.get("code")
        return _text(body.get("message")), _text(body.get("type")), _code(code), None
    if "message" in body:  # Kong gateway: {"message": "Unauthorized", "request_id": ...}
        return _text(body.get("message")), None, None, None
    detail = body.get("detail")  # FastAPI: {"detail": "..."} or {"detail": [{...}]}
    if isinstance(detail, str):
        return detail, None, None, None
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        return _text(detail[0].get("msg")), None, None, None
    return None, None, None, None


def map_openai_error(response: UpstreamResponse) -> LockgateError:
    try:
        body = orjson.loads(response.body) if response.body else None
    except orjson.JSONDecodeError:
        body = None
    message, error_type, code, param = openai_error_fields(body)
    if not message:
        snippet = response.body[:200].decode("utf-8", "replace").strip()
        message = f"upstream returned HTTP {response.status}" + (f": {snippet}" if snippet else "")
    return build_error(
        response.status,
        message[:_MAX_MESSAGE],
        response.headers,
        code=code,
        error_type=error_type,
        param=param,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _code(value: Any) -> str | None:
    return None if value is None else str(value)
