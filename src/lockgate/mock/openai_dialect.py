"""OpenAI's side of the wire: Bearer auth, response headers, error bodies (wire-formats §1.4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.failures import Failure, format_seconds, json_response
from lockgate.mock.ids import openai_request_id

__all__ = ["OPENAI", "OpenAIDialect", "openai_error_body", "openai_headers"]

_JSON = "application/json"
# Static headers of a real api.openai.com answer (wire-formats §1.1); the request id varies.
_BASE_HEADERS: dict[str, str] = {
    "openai-organization": "lockgate-mock",
    "openai-processing-ms": "1",
    "openai-version": "2020-10-01",
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-limit-tokens": "50000000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-remaining-tokens": "49999990",
    "x-ratelimit-reset-requests": "6ms",
    "x-ratelimit-reset-tokens": "0s",
    "access-control-expose-headers": "X-Request-ID",
    "server": "cloudflare",
}
_MISSING_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with "
    "blank username) if you're accessing the API from your browser and are prompted for a "
    "username and password. You can obtain an API key from "
    "https://platform.openai.com/account/api-keys."
)


def openai_headers(content_type: str = _JSON) -> dict[str, str]:
    headers = dict(_BASE_HEADERS)
    headers["content-type"] = content_type
    headers["x-request-id"] = openai_request_id()
    return headers


def _error(message: str, type_: str, param: str | None, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _pretty(body: Mapping[str, Any]) -> bytes:
    # Real OpenAI error bodies are pretty-printed with a trailing newline.
    return orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n"


def _masked(key: str) -> str:
    return key[:8] + "****" + key[-4:] if len(key) > 12 else "****"


def openai_error_body(failure: Failure, model: str, api_key: str = "") -> dict[str, Any]:
    kind, wait = failure.kind, format_seconds(failure.retry_after_s)
    if kind == "context_length":
        return _error(
            "This model's maximum context length is 128000 tokens. However, your messages "
            "resulted in 131000 tokens. Please reduce the length of the messages.",
            "invalid_request_error",
            "messages",
            "context_length_exceeded",
        )
    if kind == "auth":
        return _error(
            f"Incorrect API key provided: {_masked(api_key)}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            None,
            "invalid_api_key",
        )
    if kind == "permission":
        return _error(
            "Country, region, or territory not supported",
            "request_forbidden",
            None,
            "unsupported_country_region_territory",
        )
    if kind == "not_found":
        return _error(
            f"The model `{model}` does not exist or you do not have access to it.",
            "invalid_request_error",
            None,
            "model_not_found",
        )
    if kind == "rate_limit":
        return _error(
            f"Rate limit reached for {model} in organization org-lockgatemock on requests per "
            f"min (RPM): Limit 10000, Used 10000, Requested 1. Please try again in {wait}s. "
            "Visit https://platform.openai.com/account/rate-limits to learn more.",
            "requests",
            None,
            "rate_limit_exceeded",
        )
    if kind == "quota":
        return _error(
            "You exceeded your current quota, please check your plan and billing details. For "
            "more information on this error, read the docs: "
            "https://platform.openai.com/docs/guides/error-codes/api-errors.",
            "insufficient_quota",
            None,
            "insufficient_quota",
        )
    if kind in ("unavailable", "overloaded"):
        return _error(
            "The engine is currently overloaded, please try again later.",
            "server_error",
            None,
            None,
        )
    if kind == "timeout":
        return _error("Request timed out.", "timeout", None, None)
    if kind == "invalid_request":
        return _error(
            "Invalid request (scripted by the mock).", "invalid_request_error", None, None
        )
    return _error(
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
        None,
    )


def bearer_key(request: web.Request) -> str:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


class OpenAIDialect:
    name = "openai"
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
        if bearer_key(request):
            return None
        headers = openai_headers()
        headers["www-authenticate"] = 'Bearer realm="OpenAI API"'
        body = _error(_MISSING_KEY, "invalid_request_error", None, None)
        return json_response(_pretty(body), 401, headers)

    def error_response(self, failure: Failure, model: str, request: web.Request) -> web.Response:
        headers = openai_headers()
        if failure.status in (429, 503) and failure.kind != "quota":
            headers["retry-after"] = format_seconds(failure.retry_after_s)
            headers["retry-after-ms"] = format_seconds(failure.retry_after_s * 1000.0)
        if failure.status == 429:
            headers["x-ratelimit-remaining-requests"] = "0"
        if failure.status == 401:
            headers["www-authenticate"] = 'Bearer realm="OpenAI API"'
        body = openai_error_body(failure, model, bearer_key(request))
        return json_response(_pretty(body), failure.status, headers)

    def invalid_request(self, message: str, param: str | None = None) -> web.Response:
        body = _error(message, "invalid_request_error", param, None)
        return json_response(_pretty(body), 400, openai_headers())

    def stream_error(self, failure: Failure, model: str) -> bytes:
        """A `data:` line whose JSON has a top-level `error`: the SDK raises APIError on it."""
        return b"data: " + orjson.dumps(openai_error_body(failure, model)) + b"\n\n"


OPENAI = OpenAIDialect()
