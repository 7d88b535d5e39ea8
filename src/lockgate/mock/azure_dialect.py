"""Azure OpenAI's side of the wire: ``api-key`` (or Entra ID Bearer) auth, response headers
and the Azure error bodies (wire-formats §2.1, §2.4)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.failures import Failure, format_seconds, json_response

__all__ = [
    "AZURE",
    "CONTENT_FILTER_MARKER",
    "AzureDialect",
    "azure_error_body",
    "azure_headers",
    "content_filter_response",
]

_JSON = "application/json"
# A prompt containing this text is refused by the mock's content filter (HTTP 400).
CONTENT_FILTER_MARKER = "[mock-content-filter]"
_SAFE = {"filtered": False, "severity": "safe"}
_CONTENT_FILTER = (
    "The response was filtered due to the prompt triggering Azure OpenAI's content management "
    "policy. Please modify your prompt and retry. To learn more about our content filtering "
    "policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766"
)


def azure_headers(deployment: str, content_type: str = _JSON) -> dict[str, str]:
    return {
        "content-type": content_type,
        "apim-request-id": os.urandom(16).hex(),
        "x-ms-deployment-name": deployment,
        "x-ms-rai-invoked": "true",
        "x-ms-region": "East US 2",
        "x-ratelimit-limit-requests": "250",
        "x-ratelimit-limit-tokens": "250000",
        "x-ratelimit-remaining-requests": "249",
        "x-ratelimit-remaining-tokens": "249900",
        "x-request-id": os.urandom(16).hex(),
    }


def _error(code: str, message: str, **more: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **more}}


def azure_error_body(failure: Failure, deployment: str) -> dict[str, Any]:
    kind = failure.kind
    if kind == "context_length":
        return {
            "error": {
                "message": "This model's maximum context length is 128000 tokens. However, your "
                "messages resulted in 131000 tokens. Please reduce the length of the messages.",
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            }
        }
    if kind == "auth":
        return _error(
            "401",
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
            "provide a valid key for an active subscription and use a correct regional API "
            "endpoint for your resource.",
        )
    if kind == "permission":
        return _error("PermissionDenied", "Principal does not have access to API/Operation.")
    if kind == "not_found":
        return _error(
            "DeploymentNotFound",
            "The API deployment for this resource does not exist. If you created the deployment "
            "within the last 5 minutes, please wait a moment and try again.",
        )
    if kind in ("rate_limit", "quota"):
        wait = format_seconds(failure.retry_after_s)
        return _error(
            "429",
            "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version "
            "2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. "
            f"Please retry after {wait} seconds. Please go here: https://aka.ms/oai/quotaincrease "
            "if you would like to further increase the default rate limit.",
        )
    if kind in ("unavailable", "overloaded"):
        return _error(
            "ServiceUnavailable",
            "The service is temporarily unable to process your request. Please try again later.",
        )
    if kind == "timeout":
        return _error("Timeout", "The operation was timeout.")
    if kind == "invalid_request":
        return _error("BadRequest", "Invalid request (scripted by the mock).")
    return _error(
        "InternalServerError",
        "The server had an error while processing your request. Sorry about that!",
    )


def content_filter_response(deployment: str) -> web.Response:
    """The real 400 of a prompt refused by the content filter (§2.4)."""
    body = {
        "error": {
            "message": _CONTENT_FILTER,
            "type": None,
            "param": "prompt",
            "code": "content_filter",
            "status": 400,
            "innererror": {
                "code": "ResponsibleAIPolicyViolation",
                "content_filter_result": {
                    "hate": _SAFE,
                    "self_harm": _SAFE,
                    "sexual": {"filtered": True, "severity": "high"},
                    "violence": _SAFE,
                },
            },
        }
    }
    return json_response(orjson.dumps(body), 400, azure_headers(deployment))


class AzureDialect:
    name = "azure"
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
        "timeout": 408,
    }

    def authenticate(self, request: web.Request) -> web.Response | None:
        if request.headers.get("api-key", "").strip():
            return None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return None
        body = _error(
            "401",
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
            "provide a valid key for an active subscription and use a correct regional API "
            "endpoint for your resource.",
        )
        return json_response(orjson.dumps(body), 401, azure_headers(""))

    def error_response(self, failure: Failure, model: str, request: web.Request) -> web.Response:
        headers = azure_headers(model)
        if failure.status in (429, 503):
            headers["retry-after"] = format_seconds(failure.retry_after_s)
            headers["retry-after-ms"] = format_seconds(failure.retry_after_s * 1000.0)
        if failure.status == 429:
            headers["x-ratelimit-remaining-tokens"] = "0"
        body = azure_error_body(failure, model)
        return json_response(orjson.dumps(body), failure.status, headers)

    def invalid_request(self, message: str, param: str | None = None) -> web.Response:
        body = {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": param,
                "code": None,
            }
        }
        return json_response(orjson.dumps(body), 400, azure_headers(""))

    def stream_error(self, failure: Failure, model: str) -> bytes:
        return b"data: " + orjson.dumps(azure_error_body(failure, model)) + b"\n\n"


AZURE = AzureDialect()
