"""Cohere's side of the wire: Bearer auth and ``{"message": ...}`` errors (wire-formats §6.1)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import orjson
from aiohttp import web

from lockgate.mock.failures import Failure, format_seconds, json_response

__all__ = ["COHERE", "CohereDialect", "cohere_error_message", "cohere_headers"]

_MESSAGES: dict[str, str] = {
    "invalid_request": "invalid request (scripted by the mock)",
    "context_length": "too many tokens: the total number of tokens in the prompt exceeds the "
    "model's context length",
    "auth": "invalid api token",
    "permission": "You do not have access to this model.",
    "not_found": "model not found, make sure the correct model ID was used and that you have "
    "access to the model.",
    "rate_limit": "You are using a Trial key, which is limited to 10 API calls / minute. You can "
    "continue to use the Trial key for free or upgrade to a Production key with higher rate "
    "limits at 'https://dashboard.cohere.com/api-keys'.",
    "quota": "You are past the monthly limit of your Trial key.",
    "server": "internal server error, this has been reported to our developers",
    "unavailable": "service unavailable, please try again later",
    "overloaded": "service unavailable, please try again later",
    "timeout": "request timed out",
}


def cohere_headers(content_type: str = "application/json") -> dict[str, str]:
    return {
        "content-type": content_type,
        "x-trial-endpoint-call-limit": "10",
        "x-trial-endpoint-call-remaining": "9",
        "num_chars": "0",
        "x-debug-trace-id": uuid.uuid4().hex,
    }


def cohere_error_message(kind: str) -> str:
    return _MESSAGES.get(kind, _MESSAGES["server"])


def _body(message: str) -> bytes:
    return orjson.dumps({"id": str(uuid.uuid4()), "message": message})


class CohereDialect:
    name = "cohere"
    status_for_kind: Mapping[str, int] = {
        "invalid_request": 400,
        "context_length": 400,
        "auth": 401,
        "permission": 403,
        "not_found": 404,
        "rate_limit": 429,
        "quota": 429,
        "server": 500,
        "unavailable": 503,
        "overloaded": 503,
        "timeout": 504,
    }

    def authenticate(self, request: web.Request) -> web.Response | None:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and key.strip():
            return None
        return json_response(_body("no api key supplied"), 401, cohere_headers())

    def error_response(self, failure: Failure, model: str, request: web.Request) -> web.Response:
        headers = cohere_headers()
        if failure.status in (429, 503):
            headers["retry-after"] = format_seconds(failure.retry_after_s)
        return json_response(_body(cohere_error_message(failure.kind)), failure.status, headers)

    def invalid_request(self, message: str, param: str | None = None) -> web.Response:
        return json_response(_body(message), 400, cohere_headers())

    def stream_error(self, failure: Failure, model: str) -> bytes:
        """A failed stream ends with ``message-end`` carrying ``finish_reason: ERROR`` and
        the error text (the SDK's ChatMessageEndEventDelta has an ``error`` field)."""
        payload = {
            "type": "message-end",
            "delta": {"error": cohere_error_message(failure.kind), "finish_reason": "ERROR"},
        }
        return b"event: message-end\ndata: " + orjson.dumps(payload) + b"\n\n"


COHERE = CohereDialect()
