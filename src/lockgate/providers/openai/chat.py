"""OpenAI Chat Completions: request building and response parsing.

Messages and tools go out as the caller wrote them, less the Anthropic-only keys
(``cache_control``, ``thinking_blocks``, ``is_error``: see
:mod:`lockgate.providers.anthropic_extensions`), which OpenAI-protocol APIs refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.anthropic_extensions import plain_messages, plain_tools
from lockgate.providers.call import ChatCall, Credentials
from lockgate.providers.spec import ProviderSpec
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletion

__all__ = ["build_openai_chat_request", "openai_headers", "parse_openai_chat_response", "url_for"]


def url_for(spec: ProviderSpec, credentials: Credentials, path: str) -> str:
    base = credentials.api_base or spec.default_api_base
    if not base:
        raise ValueError(f"provider {spec.name!r} needs an api_base")
    return base.rstrip("/") + path


def openai_headers(credentials: Credentials) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if credentials.api_key:
        headers["Authorization"] = f"Bearer {credentials.api_key.reveal()}"
    if credentials.organization:
        headers["OpenAI-Organization"] = credentials.organization
    headers.update(credentials.extra_headers)
    return headers


def _outgoing_params(call: ChatCall) -> dict[str, Any]:
    quirks = call.provider.quirks
    params: dict[str, Any] = {}
    for name, value in call.params.items():
        if name == "extra_body" and isinstance(value, Mapping):
            params.update(value)
            continue
        if name == "tool_choice" and isinstance(value, str):
            value = quirks.tool_choice_values.get(value, value)
        elif name == "tools" and isinstance(value, list):
            value = plain_tools(value)
        params[quirks.renamed_params.get(name, name)] = value
    if call.stream:
        params.pop("stream_options", None)
        # Always ask for usage so cost and spend are known; the client hides the usage chunk
        # again when the caller did not ask for it.
        if quirks.supports_stream_options:
            params["stream_options"] = {"include_usage": True}
    return params


def build_openai_chat_request(call: ChatCall) -> UpstreamRequest:
    body: dict[str, Any] = {"model": call.model, "messages": plain_messages(call.messages)}
    body.update(_outgoing_params(call))
    headers = openai_headers(call.credentials)
    if call.stream:
        body["stream"] = True
        headers["Accept"] = "text/event-stream"
    return UpstreamRequest(
        "POST",
        url_for(call.provider, call.credentials, "/chat/completions"),
        headers,
        orjson.dumps(body),
    )


def parse_openai_chat_response(call: ChatCall, response: UpstreamResponse) -> ChatCompletion:
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        raise APIConnectionError("upstream sent a response that is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise APIConnectionError("upstream response has no choices")
    for choice in data["choices"]:  # a loop, not any(): no generator per response
        if _needs_parsing(choice):
            break
    else:
        # Sent as received: the typed choices are built only if someone reads them.
        return ChatCompletion.deferred(data, response.body)
    completion = ChatCompletion.from_dict(data)
    rewritten = False
    for choice in completion.choices:
        rewritten = normalise_message_content(choice.message) or rewritten
    if not rewritten:
        completion._wire_bytes = response.body
    return completion


def _needs_parsing(choice: Any) -> bool:
    """Whether this choice must be built now: its message is rewritten by
    :func:`normalise_message_content` (or it is not an object at all)."""
    if not isinstance(choice, dict):
        return True
    message = choice.get("message")
    return isinstance(message, dict) and isinstance(message.get("content"), list)


def normalise_message_content(message: Any) -> bool:
    """Mistral's reasoning models send content as typed parts: split thinking from text.
    Returns whether the message was rewritten."""
    content = message.content
    if not isinstance(content, list):
        return False
    thinking, text = split_typed_content(content)
    message.content = text
    if thinking:
        message.reasoning_content = (message.reasoning_content or "") + thinking
    return True


def split_typed_content(parts: list[Any]) -> tuple[str, str]:
    thinking: list[str] = []
    text: list[str] = []
    for part in parts:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "thinking":
            for inner in part.get("thinking") or []:
                if isinstance(inner, dict) and isinstance(inner.get("text"), str):
                    thinking.append(inner["text"])
        elif part.get("type") == "text" and isinstance(part.get("text"), str):
            text.append(part["text"])
    return "".join(thinking), "".join(text)
