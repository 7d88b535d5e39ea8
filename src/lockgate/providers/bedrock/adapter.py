"""The adapter for AWS Bedrock: Converse, ConverseStream, and InvokeModel for embeddings
and rerank."""

from __future__ import annotations

from lockgate.errors import LockgateError
from lockgate.providers.base import Framing, StreamParser
from lockgate.providers.bedrock.embeddings import (
    build_bedrock_embedding_request,
    parse_bedrock_embedding_response,
)
from lockgate.providers.bedrock.errors import map_bedrock_error
from lockgate.providers.bedrock.request import build_converse_request
from lockgate.providers.bedrock.rerank import (
    build_bedrock_rerank_request,
    parse_bedrock_rerank_response,
)
from lockgate.providers.bedrock.response import parse_converse_response
from lockgate.providers.bedrock.stream import BedrockStreamParser
from lockgate.providers.call import ChatCall, EmbeddingCall
from lockgate.providers.capabilities import Capability
from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.providers.rerank import RerankCall
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletion, EmbeddingResponse
from lockgate.types.rerank import RerankResponse

__all__ = ["BedrockAdapter"]


class BedrockAdapter:
    """Stateless; the stream arrives in AWS event-stream framing."""

    framing = Framing.AWS_EVENTSTREAM
    # JSON mode and schemas through a forced tool; caching through cachePoint blocks.
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
        return OPENAI_CHAT_PARAMS - call.provider.quirks.unsupported_params

    def build_chat_request(self, call: ChatCall) -> UpstreamRequest:
        return build_converse_request(call)

    def parse_chat_response(self, call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
        return parse_converse_response(call, response)

    def stream_parser(self, call: ChatCall) -> StreamParser:
        return BedrockStreamParser(call)

    def map_error(self, response: UpstreamResponse) -> LockgateError:
        return map_bedrock_error(response)

    # Optional capabilities.
    def build_embedding_request(self, call: EmbeddingCall) -> UpstreamRequest:
        return build_bedrock_embedding_request(call)

    def parse_embedding_response(
        self, call: EmbeddingCall, response: UpstreamResponse
    ) -> EmbeddingResponse:
        return parse_bedrock_embedding_response(call, response)

    def build_rerank_request(self, call: RerankCall) -> UpstreamRequest:
        return build_bedrock_rerank_request(call)

    def parse_rerank_response(self, call: RerankCall, response: UpstreamResponse) -> RerankResponse:
        return parse_bedrock_rerank_response(call, response)
