"""The deterministic answer to a request, decided once, before any provider formats it.

Each provider module reduces its request to a `Prompt`; `plan_reply` turns that and the
request's `Behaviour` into a `ReplyPlan`: the text split into stream pieces (one piece is one
"token"), or a tool call, plus usage counts derived from text length.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lockgate.mock.behaviour import Behaviour
from lockgate.mock.schema_sample import sample_from_schema

__all__ = [
    "Prompt",
    "ReplyPlan",
    "ToolCallPlan",
    "ToolSpec",
    "count_prompt_tokens",
    "fragments",
    "order_tools",
    "plan_reply",
    "split_pieces",
]

_PIECE = re.compile(r"\s*\S+|\s+")
_SNIPPET_CHARS = 200
_EMPTY_PROMPT_REPLY = "Hello from the lockgate mock server."


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    schema: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Prompt:
    """What the mock needs to know about a request, whatever the provider."""

    last_user_text: str
    prompt_chars: int
    max_tokens: int | None = None
    # Tools the model may call, the forced one first; empty when tool_choice forbids calls.
    tools: tuple[ToolSpec, ...] = ()
    # The conversation ends with a tool result: answer in text, as a real model would.
    after_tool_result: bool = False
    json_mode: bool = False
    json_schema: Mapping[str, Any] | None = None
    thinking: bool = False


@dataclass(frozen=True, slots=True)
class ToolCallPlan:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReplyPlan:
    text: str
    pieces: tuple[str, ...]
    # False when max_tokens cut the reply short.
    complete: bool
    prompt_tokens: int
    completion_tokens: int
    tool_call: ToolCallPlan | None = None
    thinking_pieces: tuple[str, ...] = field(default=())

    @property
    def thinking(self) -> str:
        return "".join(self.thinking_pieces)


def split_pieces(text: str) -> tuple[str, ...]:
    """Word-sized pieces with their leading whitespace; joined they give back `text`."""
    return tuple(_PIECE.findall(text))


def fragments(text: str, size: int = 8) -> tuple[str, ...]:
    """Fixed-size slices, like the argument fragments of a streamed tool call."""
    return tuple(text[i : i + size] for i in range(0, len(text), size))


def order_tools(tools: list[ToolSpec], choice: Any) -> tuple[ToolSpec, ...]:
    """Apply tool_choice: "none" forbids calls; a named function goes first."""
    if choice == "none" or (isinstance(choice, dict) and choice.get("type") == "none"):
        return ()
    name: Any = None
    if isinstance(choice, dict):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, dict) else choice.get("name")
    if isinstance(name, str):
        named = [t for t in tools if t.name == name]
        return tuple(named + [t for t in tools if t.name != name])
    return tuple(tools)


def count_prompt_tokens(chars: int) -> int:
    """About four characters per token, like English text under the real tokenisers."""
    return max(1, -(-chars // 4))


def _snippet(text: str) -> str:
    words = text.split()
    snippet = " ".join(words)
    return snippet if len(snippet) <= _SNIPPET_CHARS else snippet[:_SNIPPET_CHARS] + "..."


def _sentence(prompt: Prompt) -> str:
    snippet = _snippet(prompt.last_user_text)
    return f"This is a mock reply to: {snippet}" if snippet else _EMPTY_PROMPT_REPLY


def _filler(sentence: str, count: int) -> str:
    words = sentence.split() or ["mock"]
    return " ".join(words[i % len(words)] for i in range(count))


def _reply_text(prompt: Prompt, behaviour: Behaviour) -> str:
    if behaviour.content is not None:
        return behaviour.content
    sentence = _sentence(prompt)
    if behaviour.reply_tokens is not None:
        return _filler(sentence, behaviour.reply_tokens)
    if prompt.json_schema is not None:
        return json.dumps(sample_from_schema(prompt.json_schema, _snippet(prompt.last_user_text)))
    if prompt.json_mode:
        return json.dumps({"reply": sentence})
    return sentence


def plan_reply(prompt: Prompt, behaviour: Behaviour) -> ReplyPlan:
    prompt_tokens = count_prompt_tokens(prompt.prompt_chars)
    thinking: tuple[str, ...] = ()
    if prompt.thinking:
        thinking = split_pieces(f"The user wrote: {_snippet(prompt.last_user_text)} I will answer.")
    if prompt.tools and not prompt.after_tool_result and behaviour.content is None:
        tool = prompt.tools[0]
        arguments = sample_from_schema(tool.schema or {"type": "object"})
        if not isinstance(arguments, dict):
            arguments = {}
        completion = count_prompt_tokens(len(json.dumps(arguments))) + 1 + len(thinking)
        if behaviour.usage is not None:
            prompt_tokens, completion = behaviour.usage
        return ReplyPlan(
            text="",
            pieces=(),
            complete=True,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion,
            tool_call=ToolCallPlan(tool.name, arguments),
            thinking_pieces=thinking,
        )
    pieces = split_pieces(_reply_text(prompt, behaviour))
    complete = True
    if prompt.max_tokens is not None and len(pieces) > prompt.max_tokens:
        pieces, complete = pieces[: max(prompt.max_tokens, 0)], False
    completion = len(pieces) + len(thinking)
    if behaviour.usage is not None:
        prompt_tokens, completion = behaviour.usage
    return ReplyPlan(
        text="".join(pieces),
        pieces=pieces,
        complete=complete,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion,
        thinking_pieces=thinking,
    )
