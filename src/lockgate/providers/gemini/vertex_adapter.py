"""The adapter for Vertex AI (``vertex_ai/`` models): Gemini and, on the same URLs, Claude.

* Gemini models: the Gemini translation on
  ``{root}/publishers/google/models/{model}:generateContent`` (``:streamGenerateContent?alt=sse``).
* ``claude-*`` models: the Anthropic translation on
  ``{root}/publishers/anthropic/models/{model}:rawPredict`` (``:streamRawPredict``), the body
  without ``model`` and with ``anthropic_version: "vertex-2023-10-16"``.
* Embeddings: ``{root}/publishers/google/models/{model}:predict``.

``{root}`` names the project and location (:mod:`~lockgate.providers.gemini.vertex_target`).
Auth is ``Authorization: Bearer <OAuth access token>``, the token being the call's
``api_key`` (or ``VERTEXAI_ACCESS_TOKEN``), else one the client minted from
``vertex_credentials`` or Application Default Credentials before building the request
(:mod:`~lockgate.providers.gemini.google_tokens`; the optional ``vertex`` extra).
Errors come in Google's shape (quota, auth, routing) or, from Claude itself, Anthropic's.
"""

from __future__ import annotations

import orjson

from lockgate.errors import LockgateError
from lockgate.providers.anthropic.adapter import AnthropicAdapter, anthropic_supported_params
from lockgate.providers.anthropic.errors import anthropic_error_fields, map_anthropic_error
from lockgate.providers.anthropic.request import anthropic_body, json_tool_expected
from lockgate.providers.anthropic.response import parse_anthropic_message
from lockgate.providers.anthropic.rows import ANTHROPIC_UNSUPPORTED_PARAMS
from lockgate.providers.anthropic.stream import AnthropicStreamParser
from lockgate.providers.base import Framing, StreamParser
from lockgate.providers.call import ChatCall, Credentials, EmbeddingCall
from lockgate.providers.gemini.adapter import GeminiAdapter, gemini_supported_params
from lockgate.providers.gemini.embeddings import parse_vertex_embeddings, vertex_embedding_body
from lockgate.providers.gemini.endpoints import model_path
from lockgate.providers.gemini.errors import map_google_error
from lockgate.providers.gemini.request import gemini_body
from lockgate.providers.gemini.response import parse_gemini_response
from lockgate.providers.gemini.stream import GeminiStreamParser
from lockgate.providers.gemini.vertex_target import vertex_root
from lockgate.providers.response_json import json_object, loads_or_none
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletion, EmbeddingResponse

__all__ = ["VERTEX_ANTHROPIC_VERSION", "VertexAdapter", "is_claude"]

VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16"


def is_claude(model: str) -> bool:
    return model.startswith("claude")


def vertex_headers(credentials: Credentials, *, stream: bool = False) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if credentials.api_key:
        headers["Authorization"] = f"Bearer {credentials.api_key.reveal()}"
    if stream:
        headers["Accept"] = "text/event-stream"
    headers.update(credentials.extra_headers)
    return headers


class VertexAdapter:
    """Stateless; pure translation. Chooses Gemini or Claude by the model name."""

    framing = Framing.SSE
    # Gemini's and Claude's together; prompt caching (cache_control) is Claude's.
    capabilities = AnthropicAdapter.capabilities | GeminiAdapter.capabilities

    def supported_params(self, call: ChatCall) -> frozenset[str]:
        if not is_claude(call.model):
            return gemini_supported_params(call)
        return anthropic_supported_params(call, ANTHROPIC_UNSUPPORTED_PARAMS)

    def build_chat_request(self, call: ChatCall) -> UpstreamRequest:
        root = vertex_root(call.provider, call.credentials, call.params)
        model = model_path(call.model)
        if is_claude(call.model):
            method = "streamRawPredict" if call.stream else "rawPredict"
            url = f"{root}/publishers/anthropic/models/{model}:{method}"
            body = anthropic_body(call, model=None)
            body["anthropic_version"] = VERTEX_ANTHROPIC_VERSION
        else:
            method = "streamGenerateContent?alt=sse" if call.stream else "generateContent"
            url = f"{root}/publishers/google/models/{model}:{method}"
            body = gemini_body(call)
        return UpstreamRequest(
            "POST", url, vertex_headers(call.credentials, stream=call.stream), orjson.dumps(body)
        )

    def parse_chat_response(self, call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
        data = json_object(response.body)
        if is_claude(call.model):
            return parse_anthropic_message(data, json_tool=json_tool_expected(call.params))
        return parse_gemini_response(data, call.model)

    def stream_parser(self, call: ChatCall) -> StreamParser:
        if is_claude(call.model):
            return AnthropicStreamParser(json_tool=json_tool_expected(call.params))
        return GeminiStreamParser(call.model)

    def map_error(self, response: UpstreamResponse) -> LockgateError:
        if anthropic_error_fields(loads_or_none(response.body)) is not None:
            return map_anthropic_error(response)
        return map_google_error(response)

    # Optional capability.
    def build_embedding_request(self, call: EmbeddingCall) -> UpstreamRequest:
        root = vertex_root(call.provider, call.credentials, call.params)
        return UpstreamRequest(
            "POST",
            f"{root}/publishers/google/models/{model_path(call.model)}:predict",
            vertex_headers(call.credentials),
            orjson.dumps(vertex_embedding_body(call)),
        )

    def parse_embedding_response(
        self, call: EmbeddingCall, response: UpstreamResponse
    ) -> EmbeddingResponse:
        return parse_vertex_embeddings(call, response.body)
