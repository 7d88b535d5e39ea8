"""The adapter for every provider that speaks OpenAI's protocol."""

from __future__ import annotations

from lockgate.errors import LockgateError
from lockgate.providers.base import Framing, StreamParser
from lockgate.providers.call import ChatCall, EmbeddingCall, TextCompletionCall
from lockgate.providers.capabilities import Capability
from lockgate.providers.openai.chat import build_openai_chat_request, parse_openai_chat_response
from lockgate.providers.openai.embeddings import (
    build_openai_embedding_request,
    build_openai_text_completion_request,
    parse_openai_embedding_response,
    parse_openai_text_completion_response,
)
from lockgate.providers.openai.errors import map_openai_error
from lockgate.providers.openai.stream import OpenAIStreamParser
from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletion, EmbeddingResponse, TextCompletion

__all__ = ["OpenAIAdapter"]


class OpenAIAdapter:
    """Stateless; one instance serves every OpenAI-protocol provider row."""

    framing = Framing.SSE
    # What the protocol carries; each OpenAI-compatible provider's models decide the rest.
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
        unsupported = call.provider.quirks.unsupported_params
        # No copy of the whole vocabulary per call for the many rows that refuse nothing.
        return OPENAI_CHAT_PARAMS - unsupported if unsupported else OPENAI_CHAT_PARAMS

    def build_chat_request(self, call: ChatCall) -> UpstreamRequest:
        return build_openai_chat_request(call)

    def parse_chat_response(self, call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
        return parse_openai_chat_response(call, response)

    def stream_parser(self, call: ChatCall) -> StreamParser:
        return OpenAIStreamParser()

    def map_error(self, response: UpstreamResponse) -> LockgateError:
        return map_openai_error(response)

    # Optional capabilities.
    def build_embedding_request(self, call: EmbeddingCall) -> UpstreamRequest:
        return build_openai_embedding_request(call)

    def parse_embedding_response(
        self, call: EmbeddingCall, response: UpstreamResponse
    ) -> EmbeddingResponse:
        return parse_openai_embedding_response(call, response)

    def build_text_completion_request(self, call: TextCompletionCall) -> UpstreamRequest:
        return build_openai_text_completion_request(call)

    def parse_text_completion_response(
        self, call: TextCompletionCall, response: UpstreamResponse
    ) -> TextCompletion:
        return parse_openai_text_completion_response(call, response)
