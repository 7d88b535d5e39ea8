"""Ollama's side of the wire: no auth locally, ``{"error": "..."}`` bodies, and the NDJSON
error line a failing stream ends with (wire-formats §6.3)."""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from aiohttp import web

from lockgate.mock.failures import Failure, format_seconds, json_response

__all__ = ["OLLAMA", "OllamaDialect", "ollama_error_message", "ollama_headers"]

_MESSAGES: dict[str, str] = {
    "invalid_request": "invalid request (scripted by the mock)",
    "context_length": "prompt too long; exceeded max context length by 4096 tokens",
    "auth": "unauthorized",
    "permission": "forbidden",
    "not_found": 'model "{model}" not found, try pulling it first',
    "rate_limit": "too many requests",
    "quota": "you have reached your usage limit",
    "server": "an error was encountered while running the model",
    "unavailable": "server busy, please try again.  maximum pending requests exceeded",
    "overloaded": "server busy, please try again.  maximum pending requests exceeded",
    "timeout": "timed out waiting for the model to respond",
}


def ollama_headers(content_type: str = "application/json; charset=utf-8") -> dict[str, str]:
    return {"content-type": content_type}


def ollama_error_message(kind: str, model: str) -> str:
    return _MESSAGES.get(kind, _MESSAGES["server"]).replace("{model}", model)


class OllamaDialect:
    name = "ollama"
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
        return None  # a local Ollama server takes no key

    def error_response(self, failure: Failure, model: str, request: web.Request) -> web.Response:
        headers = ollama_headers()
        if failure.status in (429, 503):
            headers["retry-after"] = format_seconds(failure.retry_after_s)
        body = orjson.dumps({"error": ollama_error_message(failure.kind, model)})
        return json_response(body, failure.status, headers)

    def invalid_request(self, message: str, param: str | None = None) -> web.Response:
        return json_response(orjson.dumps({"error": message}), 400, ollama_headers())

    def stream_error(self, failure: Failure, model: str) -> bytes:
        return orjson.dumps({"error": ollama_error_message(failure.kind, model)}) + b"\n"


OLLAMA = OllamaDialect()
