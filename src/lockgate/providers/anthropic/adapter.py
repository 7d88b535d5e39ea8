"""The adapter for Anthropic's Messages API (``anthropic/`` models)."""

from __future__ import annotations

from lockgate.errors import LockgateError
from lockgate.providers.anthropic.errors import map_anthropic_error
from lockgate.providers.anthropic.request import build_anthropic_request, json_tool_expected
from lockgate.providers.anthropic.response import parse_anthropic_message
from lockgate.providers.anthropic.stream import AnthropicStreamParser
from lockgate.providers.anthropic_extensions import ANTHROPIC_PARAMS
from lockgate.providers.base import Framing, StreamParser
from lockgate.providers.call import ChatCall
from lockgate.providers.capabilities import Capability
from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.providers.response_json import json_object
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletion

__all__ = ["AnthropicAdapter", "anthropic_supported_params"]


def anthropic_supported_params(
    call: ChatCall, unsupported: frozenset[str] | None = None
) -> frozenset[str]:
    """The accepted OpenAI parameters (all but ``unsupported``, by default the row's); ``n``
    only when it asks for one choice. ``anthropic_params`` too: this protocol is the one
    its fields are written in."""
    excluded = call.provider.quirks.unsupported_params if unsupported is None else unsupported
    supported = (OPENAI_CHAT_PARAMS - excluded) | {ANTHROPIC_PARAMS}
    if call.params.get("n") not in (None, 1):
        supported -= {"n"}
    return supported


class AnthropicAdapter:
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
        return anthropic_supported_params(call)

    def build_chat_request(self, call: ChatCall) -> UpstreamRequest:
        return build_anthropic_request(call)

    def parse_chat_response(self, call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
        data = json_object(response.body)
        return parse_anthropic_message(data, json_tool=json_tool_expected(call.params))

    def stream_parser(self, call: ChatCall) -> StreamParser:
        return AnthropicStreamParser(json_tool=json_tool_expected(call.params))

    def map_error(self, response: UpstreamResponse) -> LockgateError:
        return map_anthropic_error(response)
