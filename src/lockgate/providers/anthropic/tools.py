"""OpenAI ``tools``, ``tool_choice``, ``parallel_tool_calls`` and JSON mode for Anthropic.

=============================  ==============================================================
OpenAI                         Anthropic
=============================  ==============================================================
``tools[].function``           ``tools[]`` ``{name, description, input_schema}``
                               (``cache_control`` on a tool is kept)
``tool_choice: "auto"``        ``{"type": "auto"}``
``tool_choice: "required"``    ``{"type": "any"}``
``tool_choice: "none"``        ``{"type": "none"}``
``tool_choice: {function}``    ``{"type": "tool", "name": ...}``
``parallel_tool_calls: false`` ``tool_choice.disable_parallel_tool_use: true``
``response_format`` json_*     a tool named ``json_tool_call`` whose ``input_schema`` is the
                               schema (``{"type": "object"}`` for json_object), forced with
                               ``tool_choice``; its input comes back as the message text.
                               With extended thinking on (which allows only ``auto``), a
                               json_schema goes to ``output_config.format`` instead and a
                               json_object offers the tool without forcing it.
=============================  ==============================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lockgate.errors import BadRequestError

__all__ = [
    "JSON_TOOL_NAME",
    "anthropic_tool_choice",
    "anthropic_tools",
    "json_schema_of",
    "json_tool",
    "uses_json_tool",
]

JSON_TOOL_NAME = "json_tool_call"
_EMPTY_SCHEMA: Mapping[str, Any] = {"type": "object", "properties": {}}


def anthropic_tools(tools: Any) -> list[dict[str, Any]]:
    if not isinstance(tools, list):
        raise BadRequestError("tools must be a list", param="tools")
    out: list[dict[str, Any]] = []
    for tool in tools:
        if not isinstance(tool, Mapping):
            raise BadRequestError("each tool must be an object", param="tools")
        if tool.get("type") != "function" and "input_schema" in tool:
            out.append(dict(tool))  # already Anthropic-shaped (a server tool or a client tool)
            continue
        if tool.get("type") != "function" or not isinstance(tool.get("function"), Mapping):
            raise BadRequestError(
                f"Anthropic takes function tools only, got type {tool.get('type')!r}",
                param="tools",
            )
        function = tool["function"]
        name = function.get("name")
        if not isinstance(name, str) or not name:
            raise BadRequestError("every function tool needs a name", param="tools")
        converted: dict[str, Any] = {"name": name}
        description = function.get("description")
        if isinstance(description, str) and description:
            converted["description"] = description
        schema = function.get("parameters")
        converted["input_schema"] = dict(schema) if isinstance(schema, Mapping) else _EMPTY_SCHEMA
        marker = tool.get("cache_control")
        if isinstance(marker, Mapping):
            converted["cache_control"] = dict(marker)
        out.append(converted)
    return out


def anthropic_tool_choice(choice: Any, parallel_tool_calls: Any) -> dict[str, Any] | None:
    """The ``tool_choice`` object, or None to leave Anthropic's default (auto)."""
    out: dict[str, Any] | None
    if choice is None:
        out = None
    elif choice == "auto":
        out = {"type": "auto"}
    elif choice == "required":
        out = {"type": "any"}
    elif choice == "none":
        return {"type": "none"}
    elif isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        name = choice["function"].get("name")
        if not isinstance(name, str) or not name:
            raise BadRequestError("tool_choice.function needs a name", param="tool_choice")
        out = {"type": "tool", "name": name}
    elif isinstance(choice, Mapping) and choice.get("type") in ("auto", "any", "tool", "none"):
        out = dict(choice)  # already Anthropic-shaped
    else:
        raise BadRequestError(f"unsupported tool_choice {choice!r}", param="tool_choice")
    if parallel_tool_calls is False:
        out = {"type": "auto"} if out is None else out
        out["disable_parallel_tool_use"] = True
    return out


def json_schema_of(response_format: Any) -> dict[str, Any] | None:
    """The schema JSON mode asks for; None when ``response_format`` is absent or text."""
    if not isinstance(response_format, Mapping):
        return None
    kind = response_format.get("type")
    if kind == "json_object":
        return {"type": "object"}
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        return dict(schema) if isinstance(schema, Mapping) else {"type": "object"}
    if kind in (None, "text"):
        return None
    raise BadRequestError(f"unsupported response_format type {kind!r}", param="response_format")


def uses_json_tool(params: Mapping[str, Any], thinking: bool) -> bool:
    """Whether JSON mode is served by the ``json_tool_call`` tool for these parameters."""
    response_format = params.get("response_format")
    if json_schema_of(response_format) is None:
        return False
    is_schema = isinstance(response_format, Mapping) and response_format["type"] == "json_schema"
    return not (thinking and is_schema)


def json_tool(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": JSON_TOOL_NAME,
        "description": "Respond with a JSON object that follows this tool's input schema.",
        "input_schema": dict(schema),
    }
