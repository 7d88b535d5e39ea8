"""Anthropic Messages API ingress: pure translation to and from OpenAI Chat Completions.

No I/O happens here. The ``/v1/messages`` route uses it like this:

1. ``call = anthropic_request_to_openai(body)`` (a BadRequestError names any bad field);
2. the router gets ``call.messages`` and ``call.dispatch_params()`` as they are: the
   Anthropic-only keys in them (``cache_control``, ``thinking_blocks``, ``is_error``,
   ``anthropic_params``) are sent by an Anthropic-protocol adapter and removed by every other
   (:mod:`lockgate.providers.anthropic_extensions`), once the deployment is known;
3. the answer goes back through ``openai_response_to_anthropic(completion, body_model)``, or,
   streaming, one ``AnthropicStreamTranslator(body_model, input_tokens=estimate)`` whose
   ``feed(chunk)`` / ``finish(usage)`` bytes are written as they come;
4. failures: ``anthropic_error_body(error, request_id=...)`` before the stream started
   (``translator.started`` is False), ``error_event(error)`` after.
"""

from lockgate.gateway.anthropic_ingress.count_tokens import count_tokens_response
from lockgate.gateway.anthropic_ingress.errors import (
    anthropic_error_body,
    anthropic_error_type,
    error_event,
)
from lockgate.gateway.anthropic_ingress.request import (
    OpenAIChatRequest,
    anthropic_request_to_openai,
)
from lockgate.gateway.anthropic_ingress.response import openai_response_to_anthropic
from lockgate.gateway.anthropic_ingress.sse import PING_EVENT
from lockgate.gateway.anthropic_ingress.stream import AnthropicStreamTranslator

__all__ = [
    "PING_EVENT",
    "AnthropicStreamTranslator",
    "OpenAIChatRequest",
    "anthropic_error_body",
    "anthropic_error_type",
    "anthropic_request_to_openai",
    "count_tokens_response",
    "error_event",
    "openai_response_to_anthropic",
]
