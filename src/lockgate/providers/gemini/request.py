"""The ``generateContent`` request body for an OpenAI-format chat call (Gemini and Vertex).

==============================  ==============================================================
OpenAI                          Gemini
==============================  ==============================================================
``temperature``, ``top_p``      ``generationConfig.temperature``, ``.topP``
``max_tokens`` /                ``generationConfig.maxOutputTokens``
``max_completion_tokens``
``stop``                        ``generationConfig.stopSequences``
``n``                           ``generationConfig.candidateCount``
``seed``                        ``generationConfig.seed``
``presence_penalty``,           ``generationConfig.presencePenalty``, ``.frequencyPenalty``
``frequency_penalty``
``response_format``             ``responseMimeType: application/json`` (+ ``responseSchema``,
                                converted by :mod:`~lockgate.providers.gemini.schema`)
``reasoning_effort``            ``thinkingConfig``: Gemini 3 models ``thinkingLevel`` (low for
                                none/minimal/low, else high); others ``thinkingBudget`` none 0,
                                minimal 128, low 1024, medium 2048, high 4096. Thoughts are
                                asked for (``includeThoughts``) and come back as
                                ``reasoning_content``.
``tools`` (function)            ``tools[{functionDeclarations}]``
``tool_choice``                 ``toolConfig.functionCallingConfig.mode`` auto → AUTO,
                                required → ANY, none → NONE, a function → ANY +
                                ``allowedFunctionNames``
``parallel_tool_calls``         only ``true`` (Gemini has no switch; false is refused)
``stream_options``              nothing: usage comes on every chunk
==============================  ==============================================================

Non-OpenAI parameters: ``top_k`` → ``topK``; ``thinking`` (Anthropic's shape) →
``thinkingBudget``; ``generation_config`` / ``generationConfig`` merged into
``generationConfig``; ``safety_settings`` → ``safetySettings``; ``cached_content`` →
``cachedContent``; ``extra_body`` merged into the body; any other is sent as it is
(``labels``, ``safetySettings``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lockgate.errors import BadRequestError
from lockgate.providers.anthropic.request import CLIENT_ONLY_PARAMS
from lockgate.providers.call import ChatCall
from lockgate.providers.gemini.messages import gemini_contents, gemini_system_instruction
from lockgate.providers.gemini.schema import gemini_schema
from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.providers.system_only import system_only_as_user

__all__ = [
    "gemini_body",
    "gemini_tool_config",
    "gemini_tools",
    "generation_config",
]

_EFFORT_BUDGETS: Mapping[str, int] = {
    "none": 0,
    "minimal": 128,
    "low": 1024,
    "medium": 2048,
    "high": 4096,
}
_RENAMED: Mapping[str, str] = {
    "safety_settings": "safetySettings",
    "cached_content": "cachedContent",
}
_TRANSLATED = frozenset(
    {"thinking", "top_k", "generation_config", "generationConfig", "extra_body"}
)


def _thinking(model: str, params: Mapping[str, Any]) -> dict[str, Any] | None:
    explicit = params.get("thinking")
    if isinstance(explicit, Mapping):
        if explicit.get("type") == "disabled":
            return {"thinkingBudget": 0}
        budget = explicit.get("budget_tokens")
        config: dict[str, Any] = {"includeThoughts": True}
        if isinstance(budget, int):
            config["thinkingBudget"] = budget
        return config
    effort = params.get("reasoning_effort")
    if not isinstance(effort, str):
        return None
    if "gemini-3" in model:
        level = "low" if effort in ("none", "minimal", "low") else "high"
        return {"thinkingLevel": level, "includeThoughts": True}
    budget = _EFFORT_BUDGETS.get(effort)
    if budget is None:
        raise BadRequestError(f"unknown reasoning_effort {effort!r}", param="reasoning_effort")
    return {"thinkingBudget": budget, "includeThoughts": True} if budget else {"thinkingBudget": 0}


def _response_format(value: Any, config: dict[str, Any]) -> None:
    if not isinstance(value, Mapping) or value.get("type") in (None, "text"):
        return
    kind = value.get("type")
    if kind not in ("json_object", "json_schema"):
        raise BadRequestError(f"unsupported response_format type {kind!r}", param="response_format")
    config["responseMimeType"] = "application/json"
    spec = value.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    if kind == "json_schema" and isinstance(schema, Mapping):
        converted = gemini_schema(schema, param="response_format")
        if converted.get("type") != "OBJECT" or converted.get("properties"):
            # Gemini refuses an OBJECT schema without properties: JSON mode alone then.
            config["responseSchema"] = converted


def generation_config(call: ChatCall) -> dict[str, Any]:
    params = call.params
    config: dict[str, Any] = {}
    simple = (
        ("temperature", "temperature"),
        ("top_p", "topP"),
        ("top_k", "topK"),
        ("n", "candidateCount"),
        ("seed", "seed"),
        ("presence_penalty", "presencePenalty"),
        ("frequency_penalty", "frequencyPenalty"),
    )
    for name, target in simple:
        if params.get(name) is not None:
            config[target] = params[name]
    max_tokens = params.get("max_completion_tokens", params.get("max_tokens"))
    if max_tokens is not None:
        config["maxOutputTokens"] = max_tokens
    stop = params.get("stop")
    if stop:
        config["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    _response_format(params.get("response_format"), config)
    thinking = _thinking(call.model, params)
    if thinking is not None:
        config["thinkingConfig"] = thinking
    for name in ("generation_config", "generationConfig"):
        if isinstance(params.get(name), Mapping):
            config.update(params[name])
    return config


def gemini_tools(tools: Any) -> list[dict[str, Any]]:
    if not isinstance(tools, list):
        raise BadRequestError("tools must be a list", param="tools")
    declarations: list[dict[str, Any]] = []
    native: list[dict[str, Any]] = []
    for tool in tools:
        if not isinstance(tool, Mapping):
            raise BadRequestError("each tool must be an object", param="tools")
        function = tool.get("function")
        if tool.get("type") != "function" or not isinstance(function, Mapping):
            if "type" in tool:
                raise BadRequestError(
                    f"Gemini takes function tools only, got type {tool.get('type')!r}",
                    param="tools",
                )
            native.append(dict(tool))  # already Gemini-shaped ({"googleSearch": {}}, ...)
            continue
        name = function.get("name")
        if not isinstance(name, str) or not name:
            raise BadRequestError("every function tool needs a name", param="tools")
        declaration: dict[str, Any] = {"name": name}
        if isinstance(function.get("description"), str) and function["description"]:
            declaration["description"] = function["description"]
        schema = function.get("parameters")
        if isinstance(schema, Mapping):
            converted = gemini_schema(schema)
            if converted.get("properties"):
                declaration["parameters"] = converted
        declarations.append(declaration)
    return ([{"functionDeclarations": declarations}] if declarations else []) + native


def gemini_tool_config(choice: Any) -> dict[str, Any] | None:
    if choice is None:
        return None
    modes = {"auto": "AUTO", "required": "ANY", "none": "NONE"}
    if isinstance(choice, str) and choice in modes:
        return {"functionCallingConfig": {"mode": modes[choice]}}
    function = choice.get("function") if isinstance(choice, Mapping) else None
    if isinstance(function, Mapping) and isinstance(function.get("name"), str):
        return {
            "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [function["name"]]}
        }
    raise BadRequestError(f"unsupported tool_choice {choice!r}", param="tool_choice")


def gemini_body(call: ChatCall) -> dict[str, Any]:
    params = call.params
    messages = system_only_as_user(call.messages)
    body: dict[str, Any] = {"contents": gemini_contents(messages)}
    system = gemini_system_instruction(messages)
    if system is not None:
        body["systemInstruction"] = system
    if params.get("tools"):
        tools = gemini_tools(params["tools"])
        if tools:
            body["tools"] = tools
            config = gemini_tool_config(params.get("tool_choice"))
            if config is not None:
                body["toolConfig"] = config
    generation = generation_config(call)
    if generation:
        body["generationConfig"] = generation
    for name, value in params.items():
        if name in OPENAI_CHAT_PARAMS or name in _TRANSLATED or name in CLIENT_ONLY_PARAMS:
            continue
        body[_RENAMED.get(name, name)] = value
    extra = params.get("extra_body")
    if isinstance(extra, Mapping):
        body.update(extra)
    return body
