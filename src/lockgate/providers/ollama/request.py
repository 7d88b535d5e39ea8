"""A chat call to an Ollama ``/api/chat`` request (wire-formats §6.3).

* ``stream`` is always sent: Ollama streams unless told ``"stream": false``.
* Messages: content parts are flattened to text, base64 ``data:`` image URLs go to
  ``images`` (Ollama cannot take http URLs; an adapter does no I/O); assistant
  ``tool_calls`` carry their arguments as objects; a ``tool`` message gets the
  ``tool_name`` of the call it answers; ``reasoning_content`` goes back as ``thinking``.
* ``options``: ``temperature``, ``top_p``, ``num_predict`` (max_tokens), ``stop``,
  ``seed``, ``frequency_penalty``, ``presence_penalty``, and any other parameter outside
  OpenAI's vocabulary (``top_k``, ``num_ctx``, ...). ``keep_alive``, ``think``, ``format``
  stay top-level. ``response_format`` → ``format`` (``"json"`` or the JSON schema).
* ``reasoning_effort`` → ``think`` (the level for gpt-oss, which takes levels; ``true``
  for other thinking models; none/minimal → ``false``).
* ``tool_choice``: Ollama has none. ``auto`` is its behaviour, ``none`` sends no tools, a
  named function sends only that tool; ``required`` cannot be enforced and is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import BadRequestError
from lockgate.providers.anthropic_extensions import plain_tools
from lockgate.providers.call import ChatCall
from lockgate.providers.ollama.urls import ollama_headers, ollama_url
from lockgate.transport.messages import UpstreamRequest

__all__ = ["build_ollama_chat_request", "ollama_chat_body", "ollama_messages"]

_OPTIONS = {
    "temperature": "temperature",
    "top_p": "top_p",
    "max_tokens": "num_predict",
    "max_completion_tokens": "num_predict",
    "seed": "seed",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
}
_TOP_LEVEL = ("keep_alive", "think", "format")
_HANDLED = frozenset(
    {
        *_OPTIONS,
        *_TOP_LEVEL,
        "stop",
        "tools",
        "tool_choice",
        "response_format",
        "reasoning_effort",
        "stream_options",
        "extra_body",
        "options",
    }
)


def _content(content: Any) -> tuple[str, list[str]]:
    """(text, base64 images) of a message content."""
    if content is None:
        return "", []
    if isinstance(content, str):
        return content, []
    if not isinstance(content, list):
        raise BadRequestError("message content must be a string or a list", param="messages")
    text: list[str] = []
    images: list[str] = []
    for part in content:
        if not isinstance(part, Mapping):
            continue
        if part.get("type") in ("text", "input_text"):
            text.append(str(part.get("text", "")))
        elif part.get("type") == "image_url":
            image = part.get("image_url")
            url = image.get("url") if isinstance(image, Mapping) else image
            if not isinstance(url, str) or not url.startswith("data:") or "," not in url:
                raise BadRequestError(
                    "Ollama takes images as base64 data URLs (data:image/png;base64,...)",
                    param="messages",
                )
            images.append(url.split(",", 1)[1])
        else:
            raise BadRequestError(
                f"Ollama does not take {part.get('type')!r} content parts", param="messages"
            )
    return "".join(text), images


def _arguments(raw: Any) -> Any:
    if isinstance(raw, Mapping):
        return dict(raw)
    if not raw:
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequestError("tool call arguments must be JSON", param="messages") from None


def ollama_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    names: dict[str, str] = {}  # tool call id -> function name
    for message in messages:
        role = message.get("role")
        text, images = _content(message.get("content"))
        if role == "developer":
            role = "system"
        if role in ("system", "user"):
            item: dict[str, Any] = {"role": role, "content": text}
            if images:
                item["images"] = images
        elif role == "assistant":
            item = {"role": "assistant", "content": text}
            if message.get("reasoning_content"):
                item["thinking"] = message["reasoning_content"]
            calls = []
            for call in message.get("tool_calls") or ():
                function = call.get("function") if isinstance(call, Mapping) else None
                if not isinstance(function, Mapping):
                    continue
                name = str(function.get("name") or "")
                if call.get("id"):
                    names[str(call["id"])] = name
                calls.append(
                    {"function": {"name": name, "arguments": _arguments(function.get("arguments"))}}
                )
            if calls:
                item["tool_calls"] = calls
        elif role in ("tool", "function"):
            call_id = str(message.get("tool_call_id") or "")
            item = {"role": "tool", "content": text}
            tool_name = names.get(call_id) or message.get("name")
            if tool_name:
                item["tool_name"] = tool_name
            if call_id:
                item["tool_call_id"] = call_id
        else:
            raise BadRequestError(f"unknown message role {role!r}", param="messages")
        out.append(item)
    return out


def _format(response_format: Any) -> Any:
    if not isinstance(response_format, Mapping):
        return None
    if response_format.get("type") == "json_object":
        return "json"
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        return schema or "json"
    return None


def _think(model: str, effort: Any) -> Any:
    if effort in ("none", "minimal"):
        return False
    if "gpt-oss" in model and effort in ("low", "medium", "high"):
        return effort
    return True


def _tools(params: Mapping[str, Any]) -> list[Any]:
    tools = plain_tools(params.get("tools") or ())  # cache_control is Anthropic's
    choice = params.get("tool_choice")
    if choice == "none":
        return []
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
    return tools


def ollama_chat_body(call: ChatCall) -> dict[str, Any]:
    params = call.params
    body: dict[str, Any] = {
        "model": call.model,
        "messages": ollama_messages(call.messages),
        "stream": call.stream,
    }
    options: dict[str, Any] = {}
    for name, option in _OPTIONS.items():
        if params.get(name) is not None:
            options[option] = params[name]
    stop = params.get("stop")
    if stop is not None:
        options["stop"] = [stop] if isinstance(stop, str) else list(stop)
    if isinstance(params.get("options"), Mapping):
        options.update(params["options"])
    for name, value in params.items():
        if name not in _HANDLED:
            options[name] = value
    if options:
        body["options"] = options
    tools = _tools(params)
    if tools:
        body["tools"] = tools
    response_format = _format(params.get("response_format"))
    if response_format is not None:
        body["format"] = response_format
    if "reasoning_effort" in params:
        body["think"] = _think(call.model, params["reasoning_effort"])
    for name in _TOP_LEVEL:
        if name in params:
            body[name] = params[name]
    extra_body = params.get("extra_body")
    if isinstance(extra_body, Mapping):
        body.update(extra_body)
    return body


def build_ollama_chat_request(call: ChatCall) -> UpstreamRequest:
    return UpstreamRequest(
        "POST",
        ollama_url(call.provider, call.credentials, "chat"),
        ollama_headers(call.credentials),
        orjson.dumps(ollama_chat_body(call)),
    )
