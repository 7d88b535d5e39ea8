"""Vertex AI URL shapes, so the Vertex adapter can be tested like the others.

``POST /v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}:{method}``
(also under ``/v1beta1``):

* ``google`` + ``generateContent`` / ``streamGenerateContent``: the Gemini answers
  (``?alt=sse`` streams with ``\\r\\n\\r\\n`` separators);
* ``google`` + ``predict``: text embeddings (``instances[].content`` →
  ``predictions[].embeddings.values`` with ``statistics.token_count``);
* ``anthropic`` + ``rawPredict`` / ``streamRawPredict``: Claude's Messages answers; the body
  has no ``model`` (it is in the URL) and must carry ``anthropic_version:
  "vertex-2023-10-16"``.

Auth is ``Authorization: Bearer <token>`` (any non-empty token); without it, Google's 401
``UNAUTHENTICATED``. Scripted errors use each publisher's own error bodies (Google's
``google.rpc.Status`` for Gemini, Anthropic's for Claude).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.anthropic_dialect import ANTHROPIC, anthropic_headers
from lockgate.mock.anthropic_messages import (
    _events,
    _Ids,
    _message,
    _validate_messages,
    messages_prompt,
)
from lockgate.mock.embedding_vectors import embedding_floats, embedding_vector
from lockgate.mock.exchange import Exchange, Validator, begin
from lockgate.mock.failures import Dialect, Failure, json_response
from lockgate.mock.gemini_dialect import GEMINI, gemini_headers
from lockgate.mock.gemini_generate import (
    generate_content,
    stream_generate_content,
    validate_contents,
)
from lockgate.mock.ids import anthropic_message_id, anthropic_signature, anthropic_tool_use_id
from lockgate.mock.reply import count_prompt_tokens, plan_reply

__all__ = ["vertex_routes"]

VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16"
_PATH = "/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}"
_SSE = "text/event-stream; charset=utf-8"
_UNAUTHENTICATED = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def _bearer(request: web.Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _unauthenticated() -> web.Response:
    body = {"error": {"code": 401, "message": _UNAUTHENTICATED, "status": "UNAUTHENTICATED"}}
    return json_response(orjson.dumps(body, option=orjson.OPT_INDENT_2), 401, gemini_headers())


class _VertexDialect:
    """A publisher's dialect with Google Cloud's bearer-token authentication."""

    def __init__(self, base: Dialect) -> None:
        self._base = base
        self.name = base.name
        self.status_for_kind: Mapping[str, int] = base.status_for_kind

    def authenticate(self, request: web.Request) -> web.Response | None:
        return None if _bearer(request) else _unauthenticated()

    def error_response(self, failure: Failure, model: str, request: web.Request) -> web.Response:
        return self._base.error_response(failure, model, request)

    def invalid_request(self, message: str, param: str | None = None) -> web.Response:
        return self._base.invalid_request(message, param)

    def stream_error(self, failure: Failure, model: str) -> bytes:
        return self._base.stream_error(failure, model)


_GOOGLE = _VertexDialect(GEMINI)
_CLAUDE = _VertexDialect(ANTHROPIC)


def _validate_claude(model: str) -> Validator:
    def validate(body: dict[str, Any]) -> tuple[str, str | None] | None:
        if body.get("anthropic_version") != VERTEX_ANTHROPIC_VERSION:
            return f"anthropic_version: Input should be '{VERTEX_ANTHROPIC_VERSION}'", None
        problem = _validate_messages({**body, "model": model})
        if problem is None and not isinstance(body.get("max_tokens"), int):
            return "max_tokens: Field required", None
        return problem

    return validate


async def _claude(request: web.Request, model: str, stream: bool) -> web.StreamResponse:
    exchange = await begin(
        request, _CLAUDE, model=model, validate=_validate_claude(model), stream=stream
    )
    if not isinstance(exchange, Exchange):
        return exchange
    plan = plan_reply(messages_prompt(exchange.body), exchange.behaviour)
    ids = _Ids(anthropic_message_id(), anthropic_tool_use_id(), anthropic_signature(model))
    if not stream:
        return json_response(orjson.dumps(_message(model, plan, ids)), 200, anthropic_headers())
    response = web.StreamResponse(headers=anthropic_headers(_SSE))
    return await exchange.send_stream(response, _events(model, plan, ids))


def _validate_predict(body: dict[str, Any]) -> tuple[str, str | None] | None:
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        return "instances: field required", None
    if not all(isinstance(i, dict) and isinstance(i.get("content"), str) for i in instances):
        return "instances[0].content: field required", None
    return None


async def _predict(request: web.Request, model: str) -> web.StreamResponse:
    exchange = await begin(request, _GOOGLE, model=model, validate=_validate_predict, stream=False)
    if not isinstance(exchange, Exchange):
        return exchange
    parameters = exchange.body.get("parameters")
    size = parameters.get("outputDimensionality") if isinstance(parameters, dict) else None
    if not isinstance(size, int) or size < 1:
        size = 3072 if "gemini-embedding" in model else 768
    predictions = []
    chars = 0
    for instance in exchange.body["instances"]:
        text = instance["content"]
        chars += len(text)
        statistics = {"truncated": False, "token_count": count_prompt_tokens(len(text))}
        values = embedding_floats(embedding_vector(text, size))
        predictions.append({"embeddings": {"statistics": statistics, "values": values}})
    body = {"predictions": predictions, "metadata": {"billableCharacterCount": chars}}
    return json_response(orjson.dumps(body, option=orjson.OPT_INDENT_2), 200, gemini_headers())


async def _google(request: web.Request, model: str, method: str) -> web.StreamResponse:
    if method == "predict":
        return await _predict(request, model)
    streams = method == "streamGenerateContent"
    exchange = await begin(
        request, _GOOGLE, model=model, validate=validate_contents, stream=streams
    )
    if not isinstance(exchange, Exchange):
        return exchange
    return await (stream_generate_content if streams else generate_content)(exchange)


def _not_found(what: str) -> web.Response:
    body = {"error": {"code": 404, "message": f"{what} not found", "status": "NOT_FOUND"}}
    return json_response(orjson.dumps(body), 404, gemini_headers())


async def vertex_model_method(request: web.Request) -> web.StreamResponse:
    model, _, method = request.match_info["model"].rpartition(":")
    publisher = request.match_info["publisher"]
    if publisher == "google" and method in ("generateContent", "streamGenerateContent", "predict"):
        return await _google(request, model, method)
    if publisher == "anthropic" and method in ("rawPredict", "streamRawPredict"):
        return await _claude(request, model, method == "streamRawPredict")
    return _not_found(f"publishers/{publisher}/models/{request.match_info['model']}")


def vertex_routes() -> list[web.RouteDef]:
    return [web.post(version + _PATH, vertex_model_method) for version in ("/v1", "/v1beta1")]
