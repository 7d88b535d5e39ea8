"""Anthropic's side of the wire: x-api-key auth, response headers, error bodies (§3.1, §3.4)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.failures import Failure, format_seconds, json_response
from lockgate.mock.ids import anthropic_request_id

__all__ = ["ANTHROPIC", "AnthropicDialect", "anthropic_headers"]

_JSON = "application/json"
_LIMITS = (
    ("requests", "20000", "19998"),
    ("input-tokens", "4000000", "3999000"),
    ("output-tokens", "800000", "800000"),
    ("tokens", "4800000", "4799000"),
)


def anthropic_headers(content_type: str = _JSON) -> dict[str, str]:
    reset = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))
    headers = {
        "content-type": content_type,
        "request-id": anthropic_request_id(),
        "anthropic-organization-id": "00000000-0000-4000-8000-00000000a0c0",
    }
    for name, limit, remaining in _LIMITS:
        headers[f"anthropic-ratelimit-{name}-limit"] = limit
        headers[f"anthropic-ratelimit-{name}-remaining"] = remaining
        headers[f"anthropic-ratelimit-{name}-reset"] = reset
    headers["server"] = "cloudflare"
    return headers


def _error_fields(failure: Failure, model: str) -> tuple[str, str]:
    kind = failure.kind
    if kind == "context_length":
        return "invalid_request_error", "prompt is too long: 213717 tokens > 200000 maximum"
    if kind == "auth":
        return "authentication_error", "invalid x-api-key"
    if kind == "permission":
        return (
            "permission_error",
            "Your API key does not have permission to use the specified resource.",
        )
    if kind == "not_found":
        return "not_found_error", f"model: {model}"
    if kind == "rate_limit":
        return (
            "rate_limit_error",
            "This request would exceed the rate limit for your organization "
            "(00000000-0000-4000-8000-00000000a0c0) of 50 requests per minute. For details, "
            "refer to: https://docs.anthropic.com/en/api/rate-limits. You can see the response "
            "headers for current usage. Please reduce the prompt length or the maximum tokens "
            "requested, or try again later. You may also contact sales at "
            "https://www.anthropic.com/contact-sales to discuss your options for a rate limit "
            "increase.",
        )
    if kind == "quota":
        return (
            "invalid_request_error",
            "Your credit balance is too low to access the Anthropic API. Please go to Plans & "
            "Billing to upgrade or purchase credits.",
        )
    if kind in ("overloaded", "unavailable"):
        return "overloaded_error", "Overloaded"
    if kind == "timeout":
        return "timeout_error", "Request timeout"
    if kind == "invalid_request":
        return "invalid_request_error", "Invalid request (scripted by the mock)."
    return "api_error", "Internal server error"


def _body(type_: str, message: str, request_id: str) -> bytes:
    body: dict[str, Any] = {
        "type": "error",
        "error": {"type": type_, "message": message},
        "request_id": request_id,
    }
    return orjson.dumps(body)


def _retryable(status: int) -> bool:
    return status in (408, 409, 429) or status >= 500


class AnthropicDialect:
    name = "anthropic"
    status_for_kind: Mapping[str, int] = {
        "invalid_request": 400,
        "context_length": 400,
        "quota": 400,
        "auth": 401,
        "permission": 403,
        "not_found": 404,
        "rate_limit": 429,
        "server": 500,
        "unavailable": 503,
        "timeout": 504,
        "overloaded": 529,
    }

    def _error(self, status: int, type_: str, message: str) -> web.Response:
        headers = anthropic_headers()
        headers["x-should-retry"] = "true" if _retryable(status) else "false"
        return json_response(_body(type_, message, headers["request-id"]), status, headers)

    def authenticate(self, request: web.Request) -> web.Response | None:
        key = request.headers.get("x-api-key", "").strip()
        if not key:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            key = token.strip() if scheme.lower() == "bearer" else ""
        if not key:
            return self._error(401, "authentication_error", "x-api-key header is required")
        if not request.headers.get("anthropic-version"):
            return self._error(
                400, "invalid_request_error", "anthropic-version: header is required"
            )
        return None

    def error_response(self, failure: Failure, model: str, request: web.Request) -> web.Response:
        type_, message = _error_fields(failure, model)
        response = self._error(failure.status, type_, message)
        if failure.status in (429, 503):
            response.headers["retry-after"] = format_seconds(failure.retry_after_s)
        return response

    def invalid_request(self, message: str, param: str | None = None) -> web.Response:
        return self._error(400, "invalid_request_error", message)

    def stream_error(self, failure: Failure, model: str) -> bytes:
        type_, message = _error_fields(failure, model)
        # Anthropic's documented in-stream error uses Python-style ", " / ": " spacing.
        payload = json.dumps({"type": "error", "error": {"type": type_, "message": message}})
        return b"event: error\ndata: " + payload.encode() + b"\n\n"


ANTHROPIC = AnthropicDialect()
