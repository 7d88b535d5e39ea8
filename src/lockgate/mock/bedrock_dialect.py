"""Bedrock's side of the wire: SigV4 or Bearer auth, ``x-amzn-ErrorType`` errors and
in-stream exception frames (wire-formats §5.1, §5.3, §5.4)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping

import orjson
from aiohttp import web

from lockgate.mock.failures import Failure, format_seconds, json_response
from lockgate.transport.aws_eventstream import encode_message

__all__ = ["BEDROCK", "BedrockDialect", "bedrock_error", "bedrock_headers", "padding"]

_CORAL = "http://internal.amazon.com/coral/com.amazon.bedrock/"
_PAD = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# kind -> (exception type, message)
_ERRORS: dict[str, tuple[str, str]] = {
    "invalid_request": ("ValidationException", "Invalid request (scripted by the mock)."),
    "context_length": ("ValidationException", "Input is too long for requested model."),
    "auth": (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    ),
    "permission": (
        "AccessDeniedException",
        "You don't have access to the model with the specified model ID.",
    ),
    "not_found": ("ResourceNotFoundException", "The provided model identifier is invalid."),
    "rate_limit": ("ThrottlingException", "Too many requests, please wait before trying again."),
    "quota": ("ThrottlingException", "Too many tokens, please wait before trying again."),
    "server": ("InternalServerException", "The server encountered an internal error."),
    "unavailable": ("ServiceUnavailableException", "Bedrock is unable to process your request."),
    "overloaded": ("ServiceUnavailableException", "Bedrock is unable to process your request."),
    "timeout": ("ModelTimeoutException", "Model has timed out in processing the request."),
}


def bedrock_headers(content_type: str = "application/json") -> dict[str, str]:
    return {"content-type": content_type, "x-amzn-RequestId": str(uuid.uuid4())}


def padding() -> str:
    """The random-length ``p`` field real event payloads carry."""
    return _PAD[: 1 + os.urandom(1)[0] % len(_PAD)].decode()


def bedrock_error(kind: str) -> tuple[str, str]:
    return _ERRORS.get(kind, _ERRORS["server"])


def _error_response(status: int, error_type: str, message: str) -> web.Response:
    headers = bedrock_headers()
    headers["x-amzn-ErrorType"] = f"{error_type}:{_CORAL}"
    return json_response(orjson.dumps({"message": message}), status, headers)


class BedrockDialect:
    name = "bedrock"
    status_for_kind: Mapping[str, int] = {
        "invalid_request": 400,
        "context_length": 400,
        "auth": 403,
        "permission": 403,
        "not_found": 404,
        "rate_limit": 429,
        "quota": 429,
        "server": 500,
        "unavailable": 503,
        "overloaded": 503,
        "timeout": 408,
    }

    def authenticate(self, request: web.Request) -> web.Response | None:
        auth = request.headers.get("authorization", "")
        if auth.startswith("Bearer ") and auth[7:].strip():
            return None
        if auth.startswith("AWS4-HMAC-SHA256 Credential=") and request.headers.get("x-amz-date"):
            return None
        return _error_response(
            403, "MissingAuthenticationTokenException", "Missing Authentication Token"
        )

    def error_response(self, failure: Failure, model: str, request: web.Request) -> web.Response:
        error_type, message = bedrock_error(failure.kind)
        response = _error_response(failure.status, error_type, message)
        if failure.status in (429, 503):
            response.headers["retry-after"] = format_seconds(failure.retry_after_s)
        return response

    def invalid_request(self, message: str, param: str | None = None) -> web.Response:
        return _error_response(400, "ValidationException", message)

    def stream_error(self, failure: Failure, model: str) -> bytes:
        """An exception frame: ``:message-type: exception`` and a lower-camel type."""
        error_type, message = bedrock_error(failure.kind)
        name = error_type[:1].lower() + error_type[1:]
        headers = {
            ":exception-type": name,
            ":content-type": "application/json",
            ":message-type": "exception",
        }
        return encode_message(headers, orjson.dumps({"message": message}))


BEDROCK = BedrockDialect()
