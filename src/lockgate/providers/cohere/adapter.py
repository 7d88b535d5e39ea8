"""The adapter for Cohere's v2 API: chat, embed and rerank."""

from __future__ import annotations

from lockgate.errors import LockgateError
from lockgate.providers.base import Framing, StreamParser
from lockgate.providers.call import ChatCall, EmbeddingCall
from lockgate.providers.capabilities import Capability
from lockgate.providers.cohere.embed import build_cohere_embed_request, parse_cohere_embed_response
from lockgate.providers.cohere.errors import map_cohere_error
from lockgate.providers.cohere.request import build_cohere_chat_request
from lockgate.providers.cohere.rerank import (
    build_cohere_rerank_request,
    parse_cohere_rerank_response,
)
from lockgate.providers.cohere.response import parse_cohere_chat_response
from lockgate.providers.cohere.stream import CohereStreamParser
from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.providers.rerank import RerankCall
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletion, EmbeddingResponse
from lockgate.types.rerank import RerankResponse

__all__ = ["CohereAdapter"]


class CohereAdapter:
    framing = Framing.SSE
    # Cohere caches on its side with no request control: no prompt caching here.
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
        return build_cohere_chat_request(call)

    def parse_chat_response(self, call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
        return parse_cohere_chat_response(call, response)

    def stream_parser(self, call: ChatCall) -> StreamParser:
        return CohereStreamParser(call)

    def map_error(self, response: UpstreamResponse) -> LockgateError:
        return map_cohere_error(response)

    # Optional capabilities.
    def build_embedding_request(self, call: EmbeddingCall) -> UpstreamRequest:
        return build_cohere_embed_request(call)

    def parse_embedding_response(
        self, call: EmbeddingCall, response: UpstreamResponse
    ) -> EmbeddingResponse:
        return parse_cohere_embed_response(call, response)

    def build_rerank_request(self, call: RerankCall) -> UpstreamRequest:
        return build_cohere_rerank_request(call)

    def parse_rerank_response(self, call: RerankCall, response: UpstreamResponse) -> RerankResponse:
        return parse_cohere_rerank_response(call, response)
