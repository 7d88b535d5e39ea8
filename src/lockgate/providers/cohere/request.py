"""A chat call to a Cohere ``/v2/chat`` request (wire-formats §6.1).

Messages keep OpenAI's roles (system, user, assistant, tool) and OpenAI-style tools; content
parts ``text`` and ``image_url`` pass as they are. Parameters: ``max_tokens``
(``max_completion_tokens`` too), ``stop`` → ``stop_sequences``, ``top_p`` → ``p``,
``temperature``, ``seed``, ``frequency_penalty``, ``presence_penalty``, ``logprobs``;
``tool_choice`` required/none → ``REQUIRED``/``NONE`` (a named function: only that tool is
offered, and required); ``response_format`` → ``{"type": "json_object", "json_schema"?}``;
``reasoning_effort`` → ``thinking`` (enabled with a token budget, or disabled). Parameters
outside OpenAI's vocabulary (``k``, ``documents``, ``citation_options``, ``safety_mode``,
``strict_tools``, ``thinking``, ...) pass through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import BadRequestError
from lockgate.providers.anthropic_extensions import plain_tools
from lockgate.providers.call import ChatCall
from lockgate.providers.cohere.urls import cohere_headers, cohere_url
from lockgate.transport.messages import UpstreamRequest

__all__ = ["build_cohere_chat_request", "cohere_messages"]

_RENAMED = {"top_p": "p", "max_completion_tokens": "max_tokens"}
_DIRECT = ("max_tokens", "temperature", "seed", "frequency_penalty", "presence_penalty", "logprobs")
_HANDLED = frozenset(
    {
        *_DIRECT,
        *_RENAMED,
        "stop",
        "tools",
        "tool_choice",
        "response_format",
        "reasoning_effort",
        "stream_options",
        "extra_body",
    }
)
_THINKING_BUDGET = {"low": 1024, "medium": 2048, "high": 4096}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(p.get("text", "")) for p in content if isinstance(p, Mapping) and "text" in p
        )
    return ""


def _user_content(content: Any) -> Any:
    if not isinstance(content, list):
        return content if content is not None else ""
    parts: list[dict[str, Any]] = []
    for part in content:
        if not isinstance(part, Mapping):
            continue
        if part.get("type") in ("text", "input_text"):
            parts.append({"type": "text", "text": part.get("text", "")})
        elif part.get("type") == "image_url":
            parts.append({"type": "image_url", "image_url": part.get("image_url")})
        else:
            raise BadRequestError(
                f"Cohere does not take {part.get('type')!r} content parts", param="messages"
            )
    return parts


def _assistant(message: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"role": "assistant"}
    text = _text(message.get("content"))
    calls = [
        {
            "id": call.get("id"),
            "type": "function",
            "function": {
                "name": call["function"].get("name"),
                "arguments": call["function"].get("arguments") or "{}",
            },
        }
        for call in message.get("tool_calls") or ()
        if isinstance(call, Mapping) and isinstance(call.get("function"), Mapping)
    ]
    if calls:
        out["tool_calls"] = calls
        if isinstance(message.get("tool_plan"), str):
            out["tool_plan"] = message["tool_plan"]
        elif text:
            out["tool_plan"] = text
    elif text:
        out["content"] = text
    else:
        out["content"] = " "
    return out


def cohere_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role in ("system", "developer"):
            out.append({"role": "system", "content": _text(message.get("content"))})
        elif role == "user":
            out.append({"role": "user", "content": _user_content(message.get("content"))})
        elif role == "assistant":
            out.append(_assistant(message))
        elif role in ("tool", "function"):
            out.append(
                {
                    "role": "tool",
                    "tool_call_id": message.get("tool_call_id") or message.get("name") or "",
                    "content": _text(message.get("content")) or " ",
                }
            )
        else:
            raise BadRequestError(f"unknown message role {role!r}", param="messages")
    return out


def _tools(params: Mapping[str, Any], body: dict[str, Any]) -> None:
    tools = plain_tools(params.get("tools") or ())  # cache_control is Anthropic's
    choice = params.get("tool_choice")
    if isinstance(choice, Mapping):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else None
        tools = [
            t
            for t in tools
            if isinstance(t, Mapping)
            and isinstance(t.get("function"), Mapping)
            and t["function"].get("name") == name
        ]
        choice = "required"
    if tools:
        body["tools"] = tools
    if choice == "required":
        body["tool_choice"] = "REQUIRED"
    elif choice == "none":
        body["tool_choice"] = "NONE"


def _response_format(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    if value.get("type") == "json_object":
        return {"type": "json_object"}
    if value.get("type") == "json_schema":
        spec = value.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        return {"type": "json_object", "json_schema": schema} if schema else {"type": "json_object"}
    return None


def cohere_chat_body(call: ChatCall) -> dict[str, Any]:
    params = call.params
    body: dict[str, Any] = {"model": call.model, "messages": cohere_messages(call.messages)}
    for name in _DIRECT:
        if name in params:
            body[name] = params[name]
    for name, renamed in _RENAMED.items():
        if name in params:
            body[renamed] = params[name]
    stop = params.get("stop")
    if stop is not None:
        body["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    _tools(params, body)
    response_format = _response_format(params.get("response_format"))
    if response_format is not None:
        body["response_format"] = response_format
    effort = params.get("reasoning_effort")
    if isinstance(effort, str):
        budget = _THINKING_BUDGET.get(effort)
        body["thinking"] = (
            {"type": "enabled", "token_budget": budget} if budget else {"type": "disabled"}
        )
    for name, value in params.items():
        if name not in _HANDLED:
            body[name] = value
    extra_body = params.get("extra_body")
    if isinstance(extra_body, Mapping):
        body.update(extra_body)
    body["stream"] = call.stream
    return body


def build_cohere_chat_request(call: ChatCall) -> UpstreamRequest:
    return UpstreamRequest(
        "POST",
        cohere_url(call.provider, call.credentials, "chat"),
        cohere_headers(call.credentials, stream=call.stream),
        orjson.dumps(cohere_chat_body(call)),
    )
