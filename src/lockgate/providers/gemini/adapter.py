"""The adapter for the Gemini API on Google AI Studio (``gemini/`` models)."""

from __future__ import annotations

import orjson

from lockgate.errors import LockgateError
from lockgate.providers.base import Framing, StreamParser
from lockgate.providers.call import ChatCall, EmbeddingCall
from lockgate.providers.capabilities import Capability
from lockgate.providers.gemini.embeddings import gemini_embedding_body, parse_gemini_embeddings
from lockgate.providers.gemini.endpoints import gemini_headers, gemini_url
from lockgate.providers.gemini.errors import map_google_error
from lockgate.providers.gemini.request import gemini_body
from lockgate.providers.gemini.response import parse_gemini_response
from lockgate.providers.gemini.stream import GeminiStreamParser
from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.providers.response_json import json_object
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletion, EmbeddingResponse

__all__ = ["GeminiAdapter", "gemini_supported_params"]


def gemini_supported_params(call: ChatCall) -> frozenset[str]:
    """The row's accepted OpenAI parameters; ``parallel_tool_calls`` only when true."""
    supported = OPENAI_CHAT_PARAMS - call.provider.quirks.unsupported_params
    if call.params.get("parallel_tool_calls") is False:
        supported -= {"parallel_tool_calls"}
    return supported


class GeminiAdapter:
    """Stateless; pure translation."""

    framing = Framing.SSE
    capabilities = frozenset(
        {
            Capability.STREAM,
            Capability.TOOLS,
            Capability.PARALLEL_TOOL_CALLS,
            Capability.VISION,
            Capability.JSON_MODE,
            Capability.JSON_SCHEMA,
            Capability.REASONING,
            Capability.PROMPT_CACHING,
        }
    )

    def supported_params(self, call: ChatCall) -> frozenset[str]:
        return gemini_supported_params(call)

    def build_chat_request(self, call: ChatCall) -> UpstreamRequest:
        method = "streamGenerateContent" if call.stream else "generateContent"
        return UpstreamRequest(
            "POST",
            gemini_url(call.provider, call.credentials, call.model, method, sse=call.stream),
            gemini_headers(call.credentials, stream=call.stream),
            orjson.dumps(gemini_body(call)),
        )

    def parse_chat_response(self, call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
        return parse_gemini_response(json_object(response.body), call.model)

    def stream_parser(self, call: ChatCall) -> StreamParser:
        return GeminiStreamParser(call.model)

    def map_error(self, response: UpstreamResponse) -> LockgateError:
        return map_google_error(response)

    # Optional capability.
    def build_embedding_request(self, call: EmbeddingCall) -> UpstreamRequest:
        return UpstreamRequest(
            "POST",
            gemini_url(call.provider, call.credentials, call.model, "batchEmbedContents"),
            gemini_headers(call.credentials),
            orjson.dumps(gemini_embedding_body(call)),
        )

    def parse_embedding_response(
        self, call: EmbeddingCall, response: UpstreamResponse
    ) -> EmbeddingResponse:
        return parse_gemini_embeddings(call, response.body)
