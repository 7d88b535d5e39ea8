"""Every malformed Anthropic request is a 400 whose message names the field, and nothing
else (KeyError, TypeError, ...) ever escapes the translation."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockgate.errors import BadRequestError
from lockgate.gateway.anthropic_ingress import (
    OpenAIChatRequest,
    anthropic_request_to_openai,
    count_tokens_response,
)

VALID: dict[str, Any] = {
    "model": "claude-test",
    "max_tokens": 100,
    "messages": [
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}],
        },
    ],
    "tools": [{"name": "f", "input_schema": {"type": "object"}}],
}
IMAGE = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA=="}}


def _with(path: str, value: Any) -> dict[str, Any]:
    """VALID with the node at a dotted path replaced (or removed when value is ...)."""
    body = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return body


def _user(*blocks: Any) -> dict[str, Any]:
    return _with("messages", [{"role": "user", "content": list(blocks)}])


def _assistant(*blocks: Any) -> dict[str, Any]:
    return _with(
        "messages",
        [{"role": "user", "content": "q"}, {"role": "assistant", "content": list(blocks)}],
    )


CASES: list[tuple[Any, str]] = [
    ([], "body: expected a JSON object"),
    (_with("model", ...), "model: field required"),
    (_with("model", 5), "model: expected a string, got integer"),
    (_with("model", ""), "model: must not be empty"),
    (_with("messages", ...), "messages: field required"),
    (_with("messages", {}), "messages: expected an array, got object"),
    (_with("messages", []), "messages: at least one message is required"),
    (_with("max_tokens", ...), "max_tokens: field required"),
    (_with("max_tokens", "10"), "max_tokens: expected an integer, got string"),
    (_with("max_tokens", True), "max_tokens: expected an integer, got boolean"),
    (_with("max_tokens", 1.5), "max_tokens: expected an integer, got number"),
    (_with("max_tokens", -1), "max_tokens: must be at least 0"),
    (_with("temperature", "hot"), "temperature: expected a number, got string"),
    (_with("top_p", [0.5]), "top_p: expected a number, got array"),
    (_with("top_k", 0.5), "top_k: expected an integer, got number"),
    (_with("stream", "yes"), "stream: expected a boolean, got string"),
    (_with("stop_sequences", "END"), "stop_sequences: expected an array, got string"),
    (_with("stop_sequences", ["END", 1]), "stop_sequences.1: expected a string"),
    (_with("system", 5), "system: expected a string or an array of text blocks, got integer"),
    (_with("system", [IMAGE]), "system.0.type: system blocks must be of type 'text', got 'image'"),
    (_with("system", [{"type": "text"}]), "system.0.text: field required"),
    (_with("system", ["text"]), "system.0: expected an object, got string"),
    (_with("metadata", "m"), "metadata: expected an object, got string"),
    (_with("metadata", {"user_id": 5}), "metadata.user_id: expected a string, got integer"),
    # messages
    (_with("messages.0", "hi"), "messages.0: expected an object, got string"),
    (_with("messages.0.role", ...), "messages.0.role: field required"),
    (
        _with("messages.0.role", "system"),
        "messages.0.role: expected 'user' or 'assistant', got 'system'",
    ),
    (_with("messages.0.content", ...), "messages.0.content: field required"),
    (
        _with("messages.0.content", 5),
        "messages.0.content: expected a string or an array of content blocks, got integer",
    ),
    (
        _with("messages.0.content", None),
        "messages.0.content: expected a string or an array of content blocks, got null",
    ),
    (_with("messages.0.content", []), "messages.0.content: at least one content block is required"),
    (_with("messages.2.content.0", "x"), "messages.2.content.0: expected an object, got string"),
    (_with("messages.2.content.0.type", ...), "messages.2.content.0.type: field required"),
    (
        _with("messages.2.content.0.type", "foo"),
        "messages.2.content.0.type: unknown block type 'foo'",
    ),
    (
        _with("messages.2.content.0.type", 7),
        "messages.2.content.0.type: expected a string, got integer",
    ),
    # user blocks
    (
        _user({"type": "text", "text": 5}),
        "messages.0.content.0.text: expected a string, got integer",
    ),
    (
        _user({"type": "text", "text": "t", "cache_control": "x"}),
        "messages.0.content.0.cache_control: expected an object, got string",
    ),
    (_user({"type": "image"}), "messages.0.content.0.source: expected an object, got null"),
    (
        _user({"type": "image", "source": {"type": "file", "file_id": "f"}}),
        "messages.0.content.0.source.type: unsupported image source type 'file'",
    ),
    (
        _user({"type": "image", "source": {"type": "base64", "media_type": "image/png"}}),
        "messages.0.content.0.source.data: field required",
    ),
    (
        _user({"type": "image", "source": {"type": "url"}}),
        "messages.0.content.0.source.url: field required",
    ),
    (
        _user({"type": "document", "source": {"type": "url", "url": "https://x/a.pdf"}}),
        "messages.0.content.0.source.type: unsupported document source type 'url'",
    ),
    (
        _user(
            {"type": "document", "source": {"type": "content", "content": [{"type": "document"}]}}
        ),
        "messages.0.content.0.source.content.0.type: block type 'document' is not allowed here",
    ),
    (
        _user({"type": "document", "source": {"type": "text"}}),
        "messages.0.content.0.source.data: field required",
    ),
    (
        _user({"type": "thinking", "thinking": "t"}),
        "messages.0.content.0.type: unknown block type 'thinking'",
    ),
    (
        _user({"type": "tool_use", "id": "t", "name": "f", "input": {}}),
        "messages.0.content.0.type: unknown block type 'tool_use'",
    ),
    # tool results
    (
        _with("messages.2.content.0.tool_use_id", ...),
        "messages.2.content.0.tool_use_id: field required",
    ),
    (
        _with("messages.2.content.0.content", 5),
        "messages.2.content.0.content: expected a string or an array of content blocks, got integer",
    ),
    (
        _with("messages.2.content.0.content", [{"type": "tool_use"}]),
        "messages.2.content.0.content.0.type: unknown block type 'tool_use'",
    ),
    (
        _with("messages.2.content.0.content", [{"type": "text", "text": None}]),
        "messages.2.content.0.content.0.text: expected a string, got null",
    ),
    (
        _with("messages.2.content.0.is_error", "yes"),
        "messages.2.content.0.is_error: expected a boolean, got string",
    ),
    (
        _with("messages.2.content.0.cache_control", []),
        "messages.2.content.0.cache_control: expected an object, got array",
    ),
    # assistant blocks
    (_with("messages.1.content.0.input", ...), "messages.1.content.0.input: field required"),
    (
        _with("messages.1.content.0.input", []),
        "messages.1.content.0.input: expected an object, got array",
    ),
    (_with("messages.1.content.0.id", ...), "messages.1.content.0.id: field required"),
    (
        _with("messages.1.content.0.name", 3),
        "messages.1.content.0.name: expected a string, got integer",
    ),
    (_assistant(IMAGE), "messages.1.content.0.type: unknown block type 'image'"),
    (
        _assistant({"type": "tool_result", "tool_use_id": "t"}),
        "messages.1.content.0.type: unknown block type 'tool_result'",
    ),
    (
        _assistant({"type": "thinking", "signature": "s"}),
        "messages.1.content.0.thinking: field required",
    ),
    (
        _assistant({"type": "thinking", "thinking": "t", "signature": 5}),
        "messages.1.content.0.signature: expected a string, got integer",
    ),
    (_assistant({"type": "redacted_thinking"}), "messages.1.content.0.data: field required"),
    (
        _assistant({"type": "text", "text": ["t"]}),
        "messages.1.content.0.text: expected a string, got array",
    ),
    (
        _with("messages.1.content", 3),
        "messages.1.content: expected a string or an array of content blocks, got integer",
    ),
    # tools and tool_choice
    (_with("tools", {}), "tools: expected an array, got object"),
    (_with("tools.0", "f"), "tools.0: expected an object, got string"),
    (_with("tools.0.name", ...), "tools.0.name: field required"),
    (_with("tools.0.input_schema", ...), "tools.0.input_schema: field required"),
    (
        _with("tools.0.input_schema", "object"),
        "tools.0.input_schema: expected an object, got string",
    ),
    (_with("tools.0.description", 1), "tools.0.description: expected a string, got integer"),
    (_with("tools.0.strict", "yes"), "tools.0.strict: expected a boolean, got string"),
    (
        _with("tools.0", {"type": "web_search_20250305", "name": "web_search"}),
        "tools.0.type: server tool 'web_search_20250305' runs only on Anthropic's platform and "
        "cannot be served by this gateway; define it as a client tool with an input_schema",
    ),
    (_with("tool_choice", "auto"), "tool_choice: expected an object, got string"),
    (_with("tool_choice", {}), "tool_choice.type: field required"),
    (
        _with("tool_choice", {"type": "all"}),
        "tool_choice.type: expected 'auto', 'any', 'tool' or 'none', got 'all'",
    ),
    (_with("tool_choice", {"type": "tool"}), "tool_choice.name: field required"),
    (
        _with("tool_choice", {"type": "auto", "disable_parallel_tool_use": 1}),
        "tool_choice.disable_parallel_tool_use: expected a boolean, got integer",
    ),
    # thinking and output_config
    (_with("thinking", True), "thinking: expected an object, got boolean"),
    (_with("thinking", {}), "thinking.type: field required"),
    (_with("thinking", {"type": "on"}), "thinking.type: unknown thinking type 'on'"),
    (_with("thinking", {"type": "enabled"}), "thinking.budget_tokens: field required"),
    (
        _with("thinking", {"type": "enabled", "budget_tokens": "1024"}),
        "thinking.budget_tokens: expected an integer, got string",
    ),
    (
        _with("thinking", {"type": "enabled", "budget_tokens": 0}),
        "thinking.budget_tokens: must be at least 1",
    ),
    (_with("output_config", []), "output_config: expected an object, got array"),
    (
        _with("output_config", {"effort": "extreme"}),
        "output_config.effort: unknown effort 'extreme'",
    ),
    (
        _with("output_config", {"format": {"type": "regex"}}),
        "output_config.format.type: expected 'json_schema', got 'regex'",
    ),
    (
        _with("output_config", {"format": {"type": "json_schema"}}),
        "output_config.format.schema: field required",
    ),
    (
        _with("output_config", {"format": {"type": "json_schema", "schema": True}}),
        "output_config.format.schema: expected an object, got boolean",
    ),
]


@pytest.mark.parametrize(("body", "message"), CASES, ids=[m.split(":")[0] for _, m in CASES])
def test_invalid_request_names_the_field(body: Any, message: str) -> None:
    with pytest.raises(BadRequestError) as caught:
        anthropic_request_to_openai(body)
    assert caught.value.message == message
    assert caught.value.status_code == 400
    assert caught.value.param == message.split(":")[0]


def test_the_valid_base_body_is_valid() -> None:
    assert isinstance(anthropic_request_to_openai(VALID), OpenAIChatRequest)


# -- fuzzing: any JSON in any place is either translated or refused with a BadRequestError ----

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5000)
    | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_types = st.sampled_from(
    ["text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking", "x"]
)
_source = st.fixed_dictionaries(
    {"type": st.sampled_from(["base64", "url", "text", "content", "file"])},
    optional={"media_type": _json, "data": _json, "url": _json, "content": _json},
)
_block = st.fixed_dictionaries(
    {"type": _types},
    optional={
        "text": _json | st.text(),
        "source": _source | _json,
        "id": _json | st.text(),
        "name": _json | st.text(),
        "input": _json | st.dictionaries(st.text(max_size=3), _json),
        "tool_use_id": _json | st.text(),
        "content": _json | st.text(),
        "is_error": _json,
        "cache_control": _json,
        "thinking": st.text() | _json,
        "signature": _json,
        "data": _json,
    },
)
_message = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant"]) | _json},
    optional={"content": st.text() | st.lists(_block, max_size=4) | _json},
)
_body = st.fixed_dictionaries(
    {"model": st.just("m") | _json, "messages": st.lists(_message, max_size=4) | _json},
    optional={
        "max_tokens": st.integers(-1, 10) | _json,
        "system": st.text() | st.lists(_block, max_size=2) | _json,
        "tools": st.lists(
            st.fixed_dictionaries({"name": st.text() | _json}, optional={"input_schema": _json}),
            max_size=2,
        )
        | _json,
        "tool_choice": st.fixed_dictionaries({"type": st.sampled_from(["auto", "tool", "x"])})
        | _json,
        "thinking": st.fixed_dictionaries(
            {"type": st.sampled_from(["enabled", "adaptive"])}, optional={"budget_tokens": _json}
        )
        | _json,
        "output_config": st.fixed_dictionaries({}, optional={"effort": _json, "format": _json})
        | _json,
        "metadata": _json,
        "stop_sequences": _json,
        "temperature": _json,
        "stream": _json,
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_body)
def test_fuzzed_bodies_translate_or_raise_bad_request(body: Any) -> None:
    for translate in (anthropic_request_to_openai, count_tokens_response):
        try:
            translate(body)
        except BadRequestError as error:
            assert error.param and error.message.startswith(error.param + ": ")
