"""Gemini's side of the wire: API-key auth, headers, google.rpc.Status errors (§4.1, §4.5)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.failures import Failure, format_seconds, json_response

__all__ = [
    "GEMINI",
    "GeminiDialect",
    "gemini_error_body",
    "gemini_headers",
    "google_json",
    "request_api_key",
]

_JSON = "application/json; charset=UTF-8"
_BASE_HEADERS: dict[str, str] = {
    "vary": "Origin, X-Origin, Referer",
    "server": "scaffolding on HTTPServer2",
    "server-timing": "gfet4t7; dur=1",
    "x-xss-protection": "0",
    "x-frame-options": "SAMEORIGIN",
    "x-content-type-options": "nosniff",
}
_CANONICAL: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_UNREGISTERED = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)
_BAD_KEY = "API key not valid. Please pass a valid API key."


def gemini_headers(content_type: str = _JSON) -> dict[str, str]:
    headers = dict(_BASE_HEADERS)
    headers["content-type"] = content_type
    return headers


def google_json(value: Any) -> bytes:
    """Google's stream spacing: a space after `:`, none after `,` (wire-formats §4.4)."""
    return json.dumps(value, separators=(",", ": "), ensure_ascii=False).encode()


def _pretty(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n"


def _retry_delay(seconds: float) -> str:
    # protobuf Duration JSON: whole seconds as "20s", fractions with 3 digits as "0.500s".
    return f"{int(seconds)}s" if float(seconds).is_integer() else f"{seconds:.3f}s"


def _status_body(code: int, message: str, details: list[dict[str, Any]] | None) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "status": _CANONICAL.get(code, "INTERNAL" if code >= 500 else "FAILED_PRECONDITION"),
    }
    if details:
        error["details"] = details
    return {"error": error}


def gemini_error_body(failure: Failure, model: str) -> dict[str, Any]:
    kind, code = failure.kind, failure.status
    if kind == "auth" and code == 401:
        return _status_body(
            code,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential. See "
            "https://developers.google.com/identity/sign-in/web/devconsole-project.",
            None,
        )
    if kind == "auth":
        return _status_body(
            code,
            _BAD_KEY,
            [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": {"service": "generativelanguage.googleapis.com"},
                },
                {
                    "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                    "locale": "en-US",
                    "message": _BAD_KEY,
                },
            ],
        )
    if kind in ("rate_limit", "quota"):
        wait = failure.retry_after_s
        metric = "generativelanguage.googleapis.com/generate_content_free_tier_requests"
        return _status_body(
            code,
            "You exceeded your current quota, please check your plan and billing details. For "
            "more information on this error, head to: "
            "https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, "
            f"head to: https://ai.dev/rate-limit. \n* Quota exceeded for metric: {metric}, "
            f"limit: 5, model: {model}\nPlease retry in {format_seconds(wait)}s.",
            [
                {
                    "@type": "type.googleapis.com/google.rpc.Help",
                    "links": [
                        {
                            "description": "Learn more about Gemini API quotas",
                            "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                        }
                    ],
                },
                {
                    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                    "violations": [
                        {
                            "quotaMetric": metric,
                            "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                            "quotaDimensions": {"location": "global", "model": model},
                            "quotaValue": "5",
                        }
                    ],
                },
                {
                    "@type": "type.googleapis.com/google.rpc.RetryInfo",
                    "retryDelay": _retry_delay(wait),
                },
            ],
        )
    messages = {
        "context_length": "The input token count exceeds the maximum number of tokens allowed "
        "(1048576).",
        "permission": "The caller does not have permission",
        "not_found": f"models/{model} is not found for API version v1beta, or is not supported "
        "for generateContent. Call ListModels to see the list of available models and their "
        "supported methods.",
        "unavailable": "The model is overloaded. Please try again later.",
        "overloaded": "The model is overloaded. Please try again later.",
        "timeout": "Deadline expired before operation could complete.",
        "invalid_request": "Invalid request (scripted by the mock).",
    }
    return _status_body(code, messages.get(kind, "An internal error has occurred."), None)


def request_api_key(request: web.Request) -> str:
    return (request.headers.get("x-goog-api-key") or request.query.get("key") or "").strip()


class GeminiDialect:
    name = "gemini"
    status_for_kind: Mapping[str, int] = {
        "invalid_request": 400,
        "context_length": 400,
        "auth": 400,
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
        if request_api_key(request):
            return None
        # A missing key is a 403 on the Gemini API (a wrong one is the 400 API_KEY_INVALID).
        body = _status_body(403, _UNREGISTERED, None)
        return json_response(_pretty(body), 403, gemini_headers())

    def error_response(self, failure: Failure, model: str, request: web.Request) -> web.Response:
        body = gemini_error_body(failure, model)
        return json_response(_pretty(body), failure.status, gemini_headers())

    def invalid_request(self, message: str, param: str | None = None) -> web.Response:
        return json_response(_pretty(_status_body(400, message, None)), 400, gemini_headers())

    def stream_error(self, failure: Failure, model: str) -> bytes:
        return b"data: " + google_json(gemini_error_body(failure, model)) + b"\r\n\r\n"


GEMINI = GeminiDialect()
