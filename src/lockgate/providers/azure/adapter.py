"""The adapter for Azure OpenAI and Azure AI: OpenAI bodies at Azure's URLs and auth."""

from __future__ import annotations

import dataclasses

from lockgate.errors import LockgateError
from lockgate.providers.azure.stream import AzureStreamParser
from lockgate.providers.azure.urls import azure_headers, azure_url, streams_usage
from lockgate.providers.base import Framing, StreamParser
from lockgate.providers.call import ChatCall, Credentials, EmbeddingCall, TextCompletionCall
from lockgate.providers.capabilities import Capability
from lockgate.providers.openai.chat import build_openai_chat_request, parse_openai_chat_response
from lockgate.providers.openai.embeddings import (
    build_openai_embedding_request,
    build_openai_text_completion_request,
    parse_openai_embedding_response,
    parse_openai_text_completion_response,
)
from lockgate.providers.openai.errors import map_openai_error
from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.providers.spec import ProviderSpec
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletion, EmbeddingResponse, TextCompletion

__all__ = ["AzureAdapter"]


def _at_azure(
    request: UpstreamRequest,
    spec: ProviderSpec,
    credentials: Credentials,
    deployment: str,
    route: str,
    *,
    stream: bool = False,
) -> UpstreamRequest:
    """The OpenAI request re-addressed: Azure's URL, Azure's auth header, same body."""
    return dataclasses.replace(
        request,
        url=azure_url(spec, credentials, deployment, route),
        headers=azure_headers(spec, credentials, stream=stream),
    )


class AzureAdapter:
    """Stateless. Bodies, responses, streams and errors are OpenAI's (Azure adds
    ``content_filter_results`` and ``prompt_filter_results``, kept as extra fields)."""

    framing = Framing.SSE
    # Azure serves OpenAI's protocol: the same features as OpenAI's own API.
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
        if call.stream and not streams_usage(call.credentials.api_version):
            # Older api-versions reject stream_options: ask for no usage rather than fail.
            quirks = dataclasses.replace(call.provider.quirks, supports_stream_options=False)
            call = dataclasses.replace(
                call, provider=dataclasses.replace(call.provider, quirks=quirks)
            )
        return _at_azure(
            build_openai_chat_request(call),
            call.provider,
            call.credentials,
            call.model,
            "/chat/completions",
            stream=call.stream,
        )

    def parse_chat_response(self, call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
        return parse_openai_chat_response(call, response)

    def stream_parser(self, call: ChatCall) -> StreamParser:
        return AzureStreamParser()

    def map_error(self, response: UpstreamResponse) -> LockgateError:
        # Content-filter 400s (code "content_filter") become ContentPolicyViolationError.
        return map_openai_error(response)

    # Optional capabilities.
    def build_embedding_request(self, call: EmbeddingCall) -> UpstreamRequest:
        return _at_azure(
            build_openai_embedding_request(call),
            call.provider,
            call.credentials,
            call.model,
            "/embeddings",
        )

    def parse_embedding_response(
        self, call: EmbeddingCall, response: UpstreamResponse
    ) -> EmbeddingResponse:
        return parse_openai_embedding_response(call, response)

    def build_text_completion_request(self, call: TextCompletionCall) -> UpstreamRequest:
        return _at_azure(
            build_openai_text_completion_request(call),
            call.provider,
            call.credentials,
            call.model,
            "/completions",
        )

    def parse_text_completion_response(
        self, call: TextCompletionCall, response: UpstreamResponse
    ) -> TextCompletion:
        return parse_openai_text_completion_response(call, response)
