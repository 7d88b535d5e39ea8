"""A chat call to a Converse / ConverseStream request (wire-formats §5.1, §5.2).

Parameters: ``max_tokens``/``max_completion_tokens`` → ``inferenceConfig.maxTokens``,
``temperature``, ``top_p`` → ``topP``, ``stop`` → ``stopSequences``; ``tools`` →
``toolConfig.tools[].toolSpec``; ``tool_choice`` auto/required/named → ``auto``/``any``/
``tool``; ``response_format`` (JSON mode) → a forced tool ``json_tool_call`` whose input
is the answer (the way LiteLLM does it); ``reasoning_effort`` on Anthropic models →
``additionalModelRequestFields.thinking``. Converse's own top-level fields
(``guardrailConfig``, ``performanceConfig``, ...) pass through; any other parameter outside
OpenAI's vocabulary (``top_k``, ``thinking``, ...) goes to ``additionalModelRequestFields``.

Model ids may be foundation models, cross-region inference profiles (``us.anthropic...``)
or ARNs; they are percent-encoded into the path. LiteLLM's ``converse/`` and ``invoke/``
route prefixes are accepted and removed (both are served through Converse).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import orjson

from lockgate.errors import BadRequestError
from lockgate.providers.bedrock.messages import converse_messages, tool_names_used
from lockgate.providers.bedrock.signing import auth_headers
from lockgate.providers.call import ChatCall, Credentials
from lockgate.providers.spec import ProviderSpec
from lockgate.transport.messages import UpstreamRequest

__all__ = [
    "JSON_TOOL",
    "bedrock_model_id",
    "bedrock_request",
    "build_converse_request",
    "model_url",
]

JSON_TOOL = "json_tool_call"
_TOP_LEVEL = frozenset(
    {
        "guardrailConfig",
        "additionalModelResponseFieldPaths",
        "promptVariables",
        "requestMetadata",
        "performanceConfig",
        "serviceTier",
    }
)
_THINKING_BUDGET = {"low": 1024, "medium": 2048, "high": 4096}


def bedrock_model_id(model: str) -> str:
    """The model id without LiteLLM's route prefix (``converse/``; ``invoke/`` models are
    served through Converse too)."""
    for prefix in ("converse/", "invoke/"):
        if model.startswith(prefix):
            return model[len(prefix) :]
    return model


def model_url(spec: ProviderSpec, credentials: Credentials, model: str, action: str) -> str:
    base = (credentials.api_base or spec.default_api_base or "").rstrip("/")
    if not base or "{region}" in base:
        raise BadRequestError("Bedrock needs a region or an api_base", param="aws_region_name")
    return f"{base}/model/{quote(bedrock_model_id(model), safe='')}/{action}"


def bedrock_request(
    credentials: Credentials, url: str, body: bytes, accept: str
) -> UpstreamRequest:
    headers = {"Content-Type": "application/json", "Accept": accept}
    headers.update(credentials.extra_headers)
    return UpstreamRequest("POST", url, auth_headers("POST", url, headers, body, credentials), body)


def _tool_spec(tool: Mapping[str, Any]) -> dict[str, Any]:
    function = tool.get("function")
    if tool.get("type", "function") != "function" or not isinstance(function, Mapping):
        raise BadRequestError("Bedrock takes function tools only", param="tools")
    spec: dict[str, Any] = {"name": function.get("name")}
    if function.get("description"):
        spec["description"] = function["description"]
    schema = function.get("parameters") or {"type": "object", "properties": {}}
    spec["inputSchema"] = {"json": schema}
    return {"toolSpec": spec}


def _json_tool(response_format: Any) -> dict[str, Any] | None:
    if not isinstance(response_format, Mapping):
        return None
    kind = response_format.get("type")
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
    elif kind == "json_object":
        schema = None
    else:
        return None
    return {
        "toolSpec": {
            "name": JSON_TOOL,
            "description": "Answer with a JSON object that follows the schema.",
            "inputSchema": {"json": schema or {"type": "object"}},
        }
    }


def _tool_choice(choice: Any) -> dict[str, Any] | None:
    if choice is None or choice == "auto":
        return {"auto": {}}
    if choice == "required":
        return {"any": {}}
    if isinstance(choice, Mapping):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else choice.get("name")
        if isinstance(name, str):
            return {"tool": {"name": name}}
    raise BadRequestError(f"unsupported tool_choice {choice!r}", param="tool_choice")


def _tool_config(
    params: Mapping[str, Any], messages: list[dict[str, Any]]
) -> tuple[dict[str, Any] | None, bool]:
    """(toolConfig, whether JSON mode is answered through the JSON tool)."""
    choice = params.get("tool_choice")
    tools = [_tool_spec(t) for t in params.get("tools") or ()]
    if choice == "none":
        tools = []  # Converse has no "none": offer no tools
    json_tool = _json_tool(params.get("response_format"))
    if json_tool is not None:
        tools.append(json_tool)
    if not tools:
        used = tool_names_used(messages)
        if not used:
            return None, False
        # Earlier turns used tools: Converse needs them declared to read toolUse blocks.
        schema = {"json": {"type": "object"}}
        return {"tools": [{"toolSpec": {"name": n, "inputSchema": schema}} for n in used]}, False
    config: dict[str, Any] = {"tools": tools}
    if json_tool is not None and len(tools) == 1:
        config["toolChoice"] = {"tool": {"name": JSON_TOOL}}
    elif choice not in (None, "none"):
        tool_choice = _tool_choice(choice)
        if tool_choice is not None:
            config["toolChoice"] = tool_choice
    return config, json_tool is not None


def _inference_config(params: Mapping[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    max_tokens = params.get("max_completion_tokens", params.get("max_tokens"))
    if max_tokens is not None:
        config["maxTokens"] = max_tokens
    if params.get("temperature") is not None:
        config["temperature"] = params["temperature"]
    if params.get("top_p") is not None:
        config["topP"] = params["top_p"]
    stop = params.get("stop")
    if stop is not None:
        config["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    return config


_HANDLED = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "stop",
        "tools",
        "tool_choice",
        "response_format",
        "reasoning_effort",
        "stream_options",
        "extra_body",
    }
)


def _additional_fields(call: ChatCall) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    effort = call.params.get("reasoning_effort")
    if isinstance(effort, str) and effort in _THINKING_BUDGET:
        if "anthropic." in call.model:
            fields["thinking"] = {"type": "enabled", "budget_tokens": _THINKING_BUDGET[effort]}
        else:
            fields["reasoning_effort"] = effort
    for name, value in call.params.items():
        if name.startswith("aws_"):  # a credential option lockgate does not take: never sent
            raise BadRequestError(f"{name} is not supported for Bedrock calls", param=name)
        if name not in _HANDLED and name not in _TOP_LEVEL:
            if name == "additionalModelRequestFields" and isinstance(value, Mapping):
                fields.update(value)
            else:
                fields[name] = value
    return fields


def converse_body(call: ChatCall) -> tuple[dict[str, Any], bool]:
    """(Converse body, JSON mode through the JSON tool)."""
    system, messages = converse_messages(call.messages)
    if not messages:
        raise BadRequestError("Bedrock needs at least one user message", param="messages")
    body: dict[str, Any] = {"messages": messages}
    if system:
        body["system"] = system
    inference = _inference_config(call.params)
    if inference:
        body["inferenceConfig"] = inference
    tool_config, json_mode = _tool_config(call.params, messages)
    if tool_config is not None:
        body["toolConfig"] = tool_config
    additional = _additional_fields(call)
    if additional:
        body["additionalModelRequestFields"] = additional
    for name in _TOP_LEVEL:
        if name in call.params:
            body[name] = call.params[name]
    extra_body = call.params.get("extra_body")
    if isinstance(extra_body, Mapping):
        body.update(extra_body)
    return body, json_mode


def uses_json_tool(call: ChatCall) -> bool:
    """Whether the answer's ``json_tool_call`` input is the message content."""
    return _json_tool(call.params.get("response_format")) is not None


def build_converse_request(call: ChatCall) -> UpstreamRequest:
    body, _ = converse_body(call)
    action = "converse-stream" if call.stream else "converse"
    accept = "application/vnd.amazon.eventstream" if call.stream else "application/json"
    url = model_url(call.provider, call.credentials, call.model, action)
    return bedrock_request(call.credentials, url, orjson.dumps(body), accept)
