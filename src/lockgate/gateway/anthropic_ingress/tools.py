"""Anthropic ``tools`` and ``tool_choice`` to OpenAI's function tools.

Only client tools (``type`` absent or ``"custom"``) translate. Server tools
(``web_search_20250305``, ``bash_20250124``, code execution, ...) run inside Anthropic's
platform and no other provider has them, so they are refused with a 400 naming the tool
rather than dropped: the model would otherwise answer as if it had searched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lockgate.gateway.anthropic_ingress.fields import (
    fail,
    join,
    opt_bool,
    opt_object,
    opt_str,
    req_object,
    req_str,
)

__all__ = ["openai_tool_choice", "openai_tools"]


def openai_tools(raw_tools: list[Any]) -> list[dict[str, Any]]:
    tools = []
    for i, raw in enumerate(raw_tools):
        path = join("tools", i)
        tool = req_object(raw, path)
        kind = opt_str(tool, "type", path)
        if kind not in (None, "custom"):
            fail(
                join(path, "type"),
                f"server tool '{kind}' runs only on Anthropic's platform and cannot be "
                "served by this gateway; define it as a client tool with an input_schema",
            )
        function: dict[str, Any] = {"name": req_str(tool, "name", path)}
        description = opt_str(tool, "description", path)
        if description is not None:
            function["description"] = description
        if "input_schema" not in tool:
            fail(join(path, "input_schema"), "field required")
        function["parameters"] = dict(req_object(tool["input_schema"], join(path, "input_schema")))
        strict = opt_bool(tool, "strict", path)
        if strict is not None:
            function["strict"] = strict
        out: dict[str, Any] = {"type": "function", "function": function}
        marker = opt_object(tool, "cache_control", path)
        if marker is not None:
            out["cache_control"] = dict(marker)
        tools.append(out)
    return tools


def openai_tool_choice(raw: Mapping[str, Any]) -> tuple[str | dict[str, Any], bool | None]:
    """OpenAI ``tool_choice`` and ``parallel_tool_calls`` (None: leave the default)."""
    path = "tool_choice"
    kind = req_str(raw, "type", path)
    choice: str | dict[str, Any]
    if kind == "auto":
        choice = "auto"
    elif kind == "any":
        choice = "required"
    elif kind == "tool":
        choice = {"type": "function", "function": {"name": req_str(raw, "name", path)}}
    elif kind == "none":
        return "none", None
    else:
        fail(join(path, "type"), f"expected 'auto', 'any', 'tool' or 'none', got '{kind}'")
    disable_parallel = opt_bool(raw, "disable_parallel_tool_use", path)
    return choice, (False if disable_parallel else None)
