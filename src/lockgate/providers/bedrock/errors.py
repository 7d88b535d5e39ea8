"""Bedrock errors by exception type (wire-formats §5.4).

The type comes from the ``x-amzn-ErrorType`` header (``ThrottlingException:http://...``),
else the body's ``__type``; the body is ``{"message": ...}`` (or ``Message``). In a stream
the same types arrive as exception frames, named in lower camel case
(``throttlingException``). The status lockgate reports is the one the type means, which
is not always the HTTP status AWS used (an expired token is a 403 there, an authentication
failure here; a model error is a 424 there, a bad gateway here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import ContextWindowExceededError, LockgateError
from lockgate.providers.error_mapping import build_error
from lockgate.transport.messages import UpstreamResponse

__all__ = ["error_from_type", "error_type_name", "header", "map_bedrock_error"]

_MAX_MESSAGE = 2000
_STATUS_BY_TYPE: dict[str, int] = {
    "ValidationException": 400,
    "AccessDeniedException": 403,
    "ExpiredTokenException": 401,
    "UnrecognizedClientException": 401,
    "InvalidSignatureException": 401,
    "IncompleteSignatureException": 401,
    "MissingAuthenticationTokenException": 401,
    "InvalidClientTokenId": 401,
    "ResourceNotFoundException": 404,
    "ModelTimeoutException": 408,
    "ThrottlingException": 429,
    "TooManyRequestsException": 429,
    "ServiceQuotaExceededException": 429,
    "ModelNotReadyException": 503,
    "ModelStreamErrorException": 502,
    "ModelErrorException": 502,
    "InternalServerException": 500,
    "InternalFailure": 500,
    "ServiceUnavailableException": 503,
}
# Context-window messages Bedrock's models word in their own ways.
_CONTEXT_MARKERS = ("too long", "context limit", "context length", "exceed context")


def error_type_name(raw: str) -> str:
    """``ThrottlingException:http://...``, ``com.amazon...#ThrottlingException`` or
    ``throttlingException`` → ``ThrottlingException``."""
    name = raw.split(":", 1)[0].rsplit("#", 1)[-1].strip()
    return name[:1].upper() + name[1:]


def error_from_type(
    raw_type: str, message: str, headers: Mapping[str, str], http_status: int = 500
) -> LockgateError:
    name = error_type_name(raw_type) if raw_type else ""
    status = _STATUS_BY_TYPE.get(name, http_status)
    error = build_error(status, message[:_MAX_MESSAGE], headers, code=name or None)
    if (
        status == 400
        and not isinstance(error, ContextWindowExceededError)
        and any(m in message.lower() for m in _CONTEXT_MARKERS)
    ):
        return ContextWindowExceededError(
            error.message, status_code=400, code=error.code, retryable=False
        )
    return error


def _message(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("message", "Message"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return None


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever the case of the mapping's keys."""
    value = headers.get(name)
    if value is not None:
        return value
    return next((v for k, v in headers.items() if k.lower() == name), None)


def map_bedrock_error(response: UpstreamResponse) -> LockgateError:
    try:
        body = orjson.loads(response.body) if response.body else None
    except orjson.JSONDecodeError:
        body = None
    raw_type = header(response.headers, "x-amzn-errortype") or ""
    if not raw_type and isinstance(body, dict) and isinstance(body.get("__type"), str):
        raw_type = body["__type"]
    message = _message(body)
    if not message:
        snippet = response.body[:200].decode("utf-8", "replace").strip()
        message = f"Bedrock returned HTTP {response.status}" + (f": {snippet}" if snippet else "")
    return error_from_type(raw_type, message, response.headers, response.status)
