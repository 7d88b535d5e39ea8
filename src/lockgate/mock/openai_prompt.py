"""Reducing OpenAI request bodies (Chat, Completions, Responses) to a provider-neutral Prompt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lockgate.mock.reply import Prompt, ToolSpec, order_tools

__all__ = [
    "chat_prompt",
    "completion_prompt",
    "content_text",
    "responses_prompt",
    "usage_object",
]

_TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})


def content_text(content: Any) -> str:
    """Text of a message content: a string, or a list of text parts (other parts ignored)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", ""))
            for part in content
            # str(): a hostile body may carry an unhashable "type" (a dict), which would
            # make the frozenset lookup raise.
            if isinstance(part, dict) and str(part.get("type")) in _TEXT_PART_TYPES
        )
    return ""


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def chat_prompt(body: Mapping[str, Any]) -> Prompt:
    messages = [m for m in body.get("messages") or () if isinstance(m, dict)]
    chars = sum(len(content_text(m.get("content"))) for m in messages)
    last_user = next(
        (content_text(m.get("content")) for m in reversed(messages) if m.get("role") == "user"),
        "",
    )
    tools = [
        ToolSpec(str(fn.get("name", "")), fn.get("parameters"))
        for t in body.get("tools") or ()
        if isinstance(t, dict) and isinstance(fn := t.get("function"), dict)
    ]
    response_format = body.get("response_format")
    json_mode, schema = False, None
    if isinstance(response_format, dict):
        json_mode = response_format.get("type") in ("json_object", "json_schema")
        spec = response_format.get("json_schema")
        if isinstance(spec, dict) and isinstance(spec.get("schema"), dict):
            schema = spec["schema"]
    return Prompt(
        last_user_text=last_user,
        prompt_chars=chars,
        max_tokens=_int_or_none(body.get("max_completion_tokens"))
        or _int_or_none(body.get("max_tokens")),
        tools=order_tools(tools, body.get("tool_choice")),
        after_tool_result=bool(messages) and messages[-1].get("role") in ("tool", "function"),
        json_mode=json_mode,
        json_schema=schema,
    )


def completion_prompt(body: Mapping[str, Any]) -> Prompt:
    prompt = body.get("prompt")
    if isinstance(prompt, list):
        text = " ".join(p for p in prompt if isinstance(p, str))
    else:
        text = prompt if isinstance(prompt, str) else ""
    return Prompt(
        last_user_text=text,
        prompt_chars=len(text),
        max_tokens=_int_or_none(body.get("max_tokens")) or 16,
    )


def responses_prompt(body: Mapping[str, Any]) -> Prompt:
    raw_input = body.get("input")
    items: list[Mapping[str, Any]]
    if isinstance(raw_input, str):
        items = [{"role": "user", "content": raw_input}]
    else:
        items = [i for i in raw_input or () if isinstance(i, dict)]
    instructions = body.get("instructions")
    chars = len(instructions) if isinstance(instructions, str) else 0
    chars += sum(len(content_text(i.get("content"))) for i in items)
    last_user = next(
        (content_text(i.get("content")) for i in reversed(items) if i.get("role") == "user"), ""
    )
    tools = [
        ToolSpec(str(t.get("name", "")), t.get("parameters"))
        for t in body.get("tools") or ()
        if isinstance(t, dict) and t.get("type") == "function"
    ]
    text_options = body.get("text")
    text_format = text_options.get("format") if isinstance(text_options, dict) else None
    schema = None
    if isinstance(text_format, dict) and isinstance(text_format.get("schema"), dict):
        schema = text_format["schema"]
    return Prompt(
        last_user_text=last_user,
        prompt_chars=chars,
        max_tokens=_int_or_none(body.get("max_output_tokens")),
        tools=order_tools(tools, body.get("tool_choice")),
        after_tool_result=bool(items) and items[-1].get("type") == "function_call_output",
        json_mode=isinstance(text_format, dict) and text_format.get("type") != "text",
        json_schema=schema,
    )


def usage_object(prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    """Chat Completions usage with the detail objects real answers carry."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
