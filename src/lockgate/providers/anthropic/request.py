"""The Messages API request for an OpenAI-format chat call.

==============================  ==============================================================
OpenAI                          Anthropic
==============================  ==============================================================
``max_tokens`` /                ``max_tokens``; required by Anthropic, so when absent the
``max_completion_tokens``       model's maximum output from the model table (else 4096)
``temperature``, ``top_p``      same names
``stop`` (string or list)       ``stop_sequences`` (whitespace-only entries left out)
``user``                        ``metadata.user_id``
``reasoning_effort``            ``thinking: {"type": "enabled", "budget_tokens": N}`` with
                                N = 1024 (minimal, low), 2048 (medium), 4096 (high);
                                ``none`` sends no thinking. A ``thinking`` object passed as
                                a parameter is sent as it is and wins.
thinking budget ≥ max_tokens    ``max_tokens`` becomes budget + max_tokens (Anthropic wants
                                max_tokens above the budget; the caller's number then bounds
                                the visible answer)
``n``                           only 1 (more is refused, see the adapter)
``stream_options``              nothing: Anthropic always reports usage
``extra_body``                  merged into the body
``anthropic_params``            its fields (``thinking``, ``top_k``, ``output_config``,
                                ``cache_control``) sent as they are, in place of the OpenAI
                                parameters derived from them (see ``native_params.py``)
other non-OpenAI parameters     sent as they are (``top_k``, ``cache_control``,
                                ``output_config``, ``container``, ...)
==============================  ==============================================================

Tools and JSON mode: :mod:`lockgate.providers.anthropic.tools`; messages:
:mod:`lockgate.providers.anthropic.messages`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import BadRequestError
from lockgate.pricing import ModelTable
from lockgate.providers.anthropic.messages import anthropic_messages, anthropic_system
from lockgate.providers.anthropic.native_params import with_native_params
from lockgate.providers.anthropic.tools import (
    JSON_TOOL_NAME,
    anthropic_tool_choice,
    anthropic_tools,
    json_schema_of,
    json_tool,
    uses_json_tool,
)
from lockgate.providers.call import ChatCall, Credentials
from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.providers.system_only import system_only_as_user
from lockgate.transport.messages import UpstreamRequest

__all__ = [
    "ANTHROPIC_VERSION",
    "CLIENT_ONLY_PARAMS",
    "anthropic_body",
    "anthropic_headers",
    "build_anthropic_request",
    "json_tool_expected",
    "messages_url",
    "thinking_config",
]

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096
_EFFORT_BUDGETS: Mapping[str, int] = {"minimal": 1024, "low": 1024, "medium": 2048, "high": 4096}
# Parameters lockgate reads itself and never forwards (credentials-like, for Vertex).
CLIENT_ONLY_PARAMS = frozenset({"vertex_project", "vertex_location", "vertex_credentials"})
_TRANSLATED = frozenset({"thinking", "extra_body", "output_config"})


def messages_url(api_base: str) -> str:
    """``https://api.anthropic.com``, ``.../v1`` and ``.../v1/messages`` all → ``/v1/messages``."""
    base = api_base.split("?", 1)[0].rstrip("/")
    if base.endswith("/v1/messages"):
        return base
    if base.endswith("/v1"):
        return base + "/messages"
    return base + "/v1/messages"


def anthropic_headers(credentials: Credentials, stream: bool) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "anthropic-version": ANTHROPIC_VERSION}
    if credentials.api_key:
        headers["x-api-key"] = credentials.api_key.reveal()
    if stream:
        headers["Accept"] = "text/event-stream"
    headers.update(credentials.extra_headers)
    return headers


def thinking_config(params: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``thinking`` object for these parameters, or None for no extended thinking."""
    explicit = params.get("thinking")
    if isinstance(explicit, Mapping):
        return dict(explicit)
    effort = params.get("reasoning_effort")
    if effort is None or effort == "none":
        return None
    budget = _EFFORT_BUDGETS.get(effort) if isinstance(effort, str) else None
    if budget is None:
        raise BadRequestError(f"unknown reasoning_effort {effort!r}", param="reasoning_effort")
    return {"type": "enabled", "budget_tokens": budget}


def _thinking_on(thinking: Mapping[str, Any] | None) -> bool:
    return thinking is not None and thinking.get("type") in ("enabled", "adaptive")


def json_tool_expected(params: Mapping[str, Any]) -> bool:
    """Whether the answer's ``json_tool_call`` tool use is the JSON-mode text."""
    merged = with_native_params(params)
    return uses_json_tool(merged, _thinking_on(thinking_config(merged)))


def _max_tokens(call: ChatCall, thinking: Mapping[str, Any] | None) -> int:
    requested = call.params.get("max_completion_tokens", call.params.get("max_tokens"))
    if isinstance(requested, int) and not isinstance(requested, bool) and requested > 0:
        value = requested
    else:
        info = ModelTable.packaged().lookup(call.model, call.provider.name)
        value = (info.max_output_tokens if info is not None else None) or DEFAULT_MAX_TOKENS
    budget = thinking.get("budget_tokens") if thinking is not None else None
    if isinstance(budget, int) and value <= budget:
        value = budget + value
    return value


def _stop_sequences(stop: Any) -> list[str]:
    values = [stop] if isinstance(stop, str) else stop if isinstance(stop, list) else []
    return [s for s in values if isinstance(s, str) and s.strip()]


def _tools_and_choice(params: Mapping[str, Any], thinking: bool, body: dict[str, Any]) -> None:
    user_tools = anthropic_tools(params["tools"]) if params.get("tools") else []
    tools = list(user_tools)
    choice = anthropic_tool_choice(params.get("tool_choice"), None)
    schema = json_schema_of(params.get("response_format"))
    if schema is not None and uses_json_tool(params, thinking):
        tools.append(json_tool(schema))
        if not thinking and not user_tools:
            choice = {"type": "tool", "name": JSON_TOOL_NAME}
        elif not thinking and choice is None:
            choice = {"type": "any"}
    elif schema is not None:
        output_config = dict(params.get("output_config") or {})
        output_config["format"] = {"type": "json_schema", "schema": schema}
        body["output_config"] = output_config
    if not tools:
        return
    body["tools"] = tools
    if params.get("parallel_tool_calls") is False and (choice or {}).get("type") != "none":
        choice = {"type": "auto"} if choice is None else choice
        choice["disable_parallel_tool_use"] = True
    if choice is not None:
        body["tool_choice"] = choice


def anthropic_body(call: ChatCall, *, model: str | None) -> dict[str, Any]:
    """The JSON body; ``model=None`` leaves it out (Vertex names the model in the URL)."""
    params = with_native_params(call.params)
    thinking = thinking_config(params)
    body: dict[str, Any] = {}
    if model is not None:
        body["model"] = model
    body["max_tokens"] = _max_tokens(call, thinking)
    messages = system_only_as_user(call.messages)
    system = anthropic_system(messages)
    if system:
        plain = len(system) == 1 and set(system[0]) == {"type", "text"}
        body["system"] = system[0]["text"] if plain else system
    body["messages"] = anthropic_messages(messages)
    for name in ("temperature", "top_p"):
        if params.get(name) is not None:
            body[name] = params[name]
    stop = _stop_sequences(params.get("stop"))
    if stop:
        body["stop_sequences"] = stop
    if isinstance(params.get("output_config"), Mapping):
        body["output_config"] = dict(params["output_config"])
    _tools_and_choice(params, _thinking_on(thinking), body)
    if thinking is not None:
        body["thinking"] = thinking
    if isinstance(params.get("user"), str) and params["user"]:
        body["metadata"] = {"user_id": params["user"]}
    for name, value in params.items():
        if name in OPENAI_CHAT_PARAMS or name in _TRANSLATED or name in CLIENT_ONLY_PARAMS:
            continue
        body[name] = value  # Anthropic's own knobs (top_k, cache_control, ...)
    extra = params.get("extra_body")
    if isinstance(extra, Mapping):
        body.update(extra)
    if call.stream:
        body["stream"] = True
    return body


def build_anthropic_request(call: ChatCall) -> UpstreamRequest:
    base = call.credentials.api_base or call.provider.default_api_base or ""
    return UpstreamRequest(
        "POST",
        messages_url(base),
        anthropic_headers(call.credentials, call.stream),
        orjson.dumps(anthropic_body(call, model=call.model)),
    )
