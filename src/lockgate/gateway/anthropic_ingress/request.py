"""An Anthropic Messages request body to an OpenAI Chat Completions call.

Parameters:

==========================  ===================================================
Anthropic                   OpenAI (``OpenAIChatRequest.params``)
==========================  ===================================================
``max_tokens`` (required)   ``max_tokens``
``temperature``, ``top_p``  same names
``stop_sequences``          ``stop``
``stream: true``            ``stream: true`` + ``stream_options.include_usage``
``tools``                   ``tools`` (function tools, see ``tools.py``)
``tool_choice``             ``tool_choice`` auto/any→required/tool→function/none,
                            ``disable_parallel_tool_use`` → ``parallel_tool_calls``
``metadata.user_id``        ``user``
``thinking.budget_tokens``  ``reasoning_effort``: ≤1024 low, ≤2048 medium, else high
                            (the inverse of LiteLLM's effort → budget table)
``output_config.effort``    ``reasoning_effort`` (xhigh/max → high); wins over thinking
``output_config.format``    ``response_format`` (``json_schema``)
==========================  ===================================================

Knobs with no OpenAI equivalent (``thinking``, ``top_k``, ``output_config``, top-level
``cache_control``) are kept verbatim in ``anthropic_params``, which :meth:`dispatch_params`
passes on as the ``anthropic_params`` parameter: an Anthropic-protocol adapter (Anthropic,
Vertex AI Claude) sends them as they are, the client leaves them out for any other
(:mod:`lockgate.providers.anthropic_extensions`). Other top-level fields (``container``,
``mcp_servers``, ``service_tier``, ``context_management``, ...) are features of Anthropic's
platform; they are listed in ``ignored`` for logging and otherwise dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lockgate.gateway.anthropic_ingress.fields import (
    fail,
    join,
    opt_bool,
    opt_int,
    opt_list,
    opt_number,
    opt_object,
    opt_str,
    req_list,
    req_object,
    req_str,
)
from lockgate.gateway.anthropic_ingress.messages import openai_messages, system_message
from lockgate.gateway.anthropic_ingress.tools import openai_tool_choice, openai_tools
from lockgate.providers.anthropic_extensions import ANTHROPIC_NATIVE_PARAMS, ANTHROPIC_PARAMS

__all__ = ["OpenAIChatRequest", "anthropic_request_to_openai", "translate_request"]

_HANDLED = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "system",
        "stop_sequences",
        "temperature",
        "top_p",
        "top_k",
        "stream",
        "tools",
        "tool_choice",
        "metadata",
        "thinking",
        "output_config",
        "cache_control",
    }
)
_ANTHROPIC_ONLY = tuple(sorted(ANTHROPIC_NATIVE_PARAMS))
_THINKING_TYPES = frozenset({"enabled", "disabled", "adaptive", "between_tools"})
_EFFORTS = {"low": "low", "medium": "medium", "high": "high", "xhigh": "high", "max": "high"}


@dataclass(frozen=True, slots=True)
class OpenAIChatRequest:
    """The OpenAI-format call an Anthropic request stands for."""

    model: str
    messages: list[dict[str, Any]]
    # OpenAI Chat Completions parameters only (see the module table).
    params: dict[str, Any]
    # Anthropic parameters with no OpenAI equivalent, verbatim.
    anthropic_params: dict[str, Any] = field(default_factory=dict)
    # Top-level request fields that were not translated, sorted.
    ignored: tuple[str, ...] = ()

    @property
    def stream(self) -> bool:
        return bool(self.params.get("stream"))

    def dispatch_params(self) -> dict[str, Any]:
        """The keyword parameters for the call, ``stream`` aside: ``params``; when there are
        any, ``anthropic_params`` (for whichever deployment speaks Anthropic's protocol); and
        the ``droppable_params`` option naming the derived ``reasoning_effort``."""
        out = {name: value for name, value in self.params.items() if name != "stream"}
        if self.anthropic_params:
            out[ANTHROPIC_PARAMS] = dict(self.anthropic_params)
        if "reasoning_effort" in out:
            # Derived from thinking / output_config, not asked for: a model that cannot
            # reason answers without it rather than refusing the request.
            out["droppable_params"] = ["reasoning_effort"]
        return out


def anthropic_request_to_openai(body: Any) -> OpenAIChatRequest:
    """Translate a ``POST /v1/messages`` body; raises BadRequestError naming the bad field."""
    return translate_request(body, require_max_tokens=True)


def translate_request(body: Any, *, require_max_tokens: bool) -> OpenAIChatRequest:
    """As :func:`anthropic_request_to_openai`; ``count_tokens`` bodies have no max_tokens."""
    if not isinstance(body, Mapping):
        fail("body", "expected a JSON object")
    model = req_str(body, "model", "")
    if not model:
        fail("model", "must not be empty")
    raw_messages = req_list(body, "messages", "")
    if not raw_messages:
        fail("messages", "at least one message is required")
    messages = openai_messages(raw_messages)
    system = system_message(body.get("system"))
    if system is not None:
        messages.insert(0, system)
    params = _params(body, require_max_tokens=require_max_tokens)
    anthropic_params = {name: body[name] for name in _ANTHROPIC_ONLY if body.get(name) is not None}
    ignored = tuple(sorted(name for name in body if name not in _HANDLED))
    return OpenAIChatRequest(model, messages, params, anthropic_params, ignored)


def _params(body: Mapping[str, Any], *, require_max_tokens: bool) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if require_max_tokens and "max_tokens" not in body:
        fail("max_tokens", "field required")
    max_tokens = opt_int(body, "max_tokens", "")
    if max_tokens is not None:
        params["max_tokens"] = max_tokens
    for name in ("temperature", "top_p"):
        value = opt_number(body, name, "")
        if value is not None:
            params[name] = value
    opt_int(body, "top_k", "")  # checked here, passed on in anthropic_params
    stop = _stop_sequences(body)
    if stop:
        params["stop"] = stop
    if opt_bool(body, "stream", ""):
        params["stream"] = True
        # The final message_delta reports usage, so the upstream must send it.
        params["stream_options"] = {"include_usage": True}
    _tool_params(body, params)
    metadata = opt_object(body, "metadata", "")
    if metadata is not None:
        user = opt_str(metadata, "user_id", "metadata")
        if user:
            params["user"] = user
    _reasoning_params(body, params)
    return params


def _stop_sequences(body: Mapping[str, Any]) -> list[str]:
    stop = opt_list(body, "stop_sequences", "") or []
    for i, value in enumerate(stop):
        if not isinstance(value, str):
            fail(join("stop_sequences", i), "expected a string")
    return stop


def _tool_params(body: Mapping[str, Any], params: dict[str, Any]) -> None:
    raw_tools = opt_list(body, "tools", "")
    tools = openai_tools(raw_tools) if raw_tools else []
    raw_choice = opt_object(body, "tool_choice", "")
    choice, parallel = openai_tool_choice(raw_choice) if raw_choice is not None else (None, None)
    if not tools:
        return  # OpenAI rejects tool_choice and parallel_tool_calls without tools
    params["tools"] = tools
    if choice is not None:
        params["tool_choice"] = choice
    if parallel is not None:
        params["parallel_tool_calls"] = parallel


def _reasoning_params(body: Mapping[str, Any], params: dict[str, Any]) -> None:
    effort: str | None = None
    thinking = opt_object(body, "thinking", "")
    if thinking is not None:
        kind = req_str(thinking, "type", "thinking")
        if kind not in _THINKING_TYPES:
            fail("thinking.type", f"unknown thinking type '{kind}'")
        if kind == "enabled":
            budget = opt_int(thinking, "budget_tokens", "thinking", minimum=1)
            if budget is None:
                fail("thinking.budget_tokens", "field required")
            effort = "low" if budget <= 1024 else "medium" if budget <= 2048 else "high"
    output_config = opt_object(body, "output_config", "")
    if output_config is not None:
        requested = opt_str(output_config, "effort", "output_config")
        if requested is not None:
            if requested not in _EFFORTS:
                fail("output_config.effort", f"unknown effort '{requested}'")
            effort = _EFFORTS[requested]
        output_format = opt_object(output_config, "format", "output_config")
        if output_format is not None:
            params["response_format"] = _response_format(output_format)
    if effort is not None:
        params["reasoning_effort"] = effort


def _response_format(output_format: Mapping[str, Any]) -> dict[str, Any]:
    path = "output_config.format"
    kind = req_str(output_format, "type", path)
    if kind != "json_schema":
        fail(join(path, "type"), f"expected 'json_schema', got '{kind}'")
    if "schema" not in output_format:
        fail(join(path, "schema"), "field required")
    schema = req_object(output_format["schema"], join(path, "schema"))
    return {"type": "json_schema", "json_schema": {"name": "output", "schema": dict(schema)}}
