"""The adapter for Ollama's native API: ``/api/chat`` (NDJSON stream) and ``/api/embed``."""

from __future__ import annotations

from lockgate.errors import LockgateError
from lockgate.providers.base import Framing, StreamParser
from lockgate.providers.call import ChatCall, EmbeddingCall
from lockgate.providers.capabilities import Capability
from lockgate.providers.ollama.embed import build_ollama_embed_request, parse_ollama_embed_response
from lockgate.providers.ollama.errors import map_ollama_error
from lockgate.providers.ollama.request import build_ollama_chat_request
from lockgate.providers.ollama.response import parse_ollama_chat_response
from lockgate.providers.ollama.stream import OllamaStreamParser
from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletion, EmbeddingResponse

__all__ = ["OllamaAdapter"]


class OllamaAdapter:
    framing = Framing.NDJSON
    # Images as base64 only; JSON schemas through ``format``.
    capabilities = frozenset(
        {
            Capability.STREAM,
            Capability.TOOLS,
            Capability.PARALLEL_TOOL_CALLS,
            Capability.VISION,
            Capability.JSON_MODE,
            Capability.JSON_SCHEMA,
            Capability.REASONING,
        }
    )

    def supported_params(self, call: ChatCall) -> frozenset[str]:
        return OPENAI_CHAT_PARAMS - call.provider.quirks.unsupported_params

    def build_chat_request(self, call: ChatCall) -> UpstreamRequest:
        return build_ollama_chat_request(call)

    def parse_chat_response(self, call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
        return parse_ollama_chat_response(call, response)

    def stream_parser(self, call: ChatCall) -> StreamParser:
        return OllamaStreamParser(call)

    def map_error(self, response: UpstreamResponse) -> LockgateError:
        return map_ollama_error(response)

    # Optional capability.
    def build_embedding_request(self, call: EmbeddingCall) -> UpstreamRequest:
        return build_ollama_embed_request(call)

    def parse_embedding_response(
        self, call: EmbeddingCall, response: UpstreamResponse
    ) -> EmbeddingResponse:
        return parse_ollama_embed_response(call, response)
