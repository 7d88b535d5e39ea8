"""The token estimate: no tokenizer files, close to real counts, never crashes on odd input.

Known counts come from provider recordings in ../shared/wire-formats.md (OpenAI's own
examples: usage.prompt_tokens for the request shown)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockgate.pricing import estimate_prompt_tokens, estimate_tokens

ADD_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "add",
        "description": "Adds a and b.\n        Args:\n            a: first int\n"
        "            b: second int",
        "parameters": {
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
            "type": "object",
        },
    },
}


@pytest.mark.parametrize(
    ("messages", "tools", "recorded"),
    [
        # OpenAI API reference example for chat completions: prompt_tokens 19
        (
            [
                {"role": "developer", "content": "You are a helpful assistant."},
                {"role": "user", "content": "Hello!"},
            ],
            None,
            19,
        ),
        # Azure OpenAI example: prompt_tokens 33
        (
            [
                {
                    "role": "system",
                    "content": "you are a helpful assistant that talks like a pirate",
                },
                {"role": "user", "content": "can you tell me how to care for a parrot?"},
            ],
            None,
            33,
        ),
        # gpt-3.5-turbo-0125 recording with one tool: prompt_tokens 72
        ([{"content": "What is the sum of 1 and 2?", "role": "user"}], [ADD_TOOL], 72),
    ],
)
def test_close_to_recorded_openai_counts(
    messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, recorded: int
) -> None:
    estimate = estimate_prompt_tokens(messages, tools)
    assert abs(estimate - recorded) <= max(2, 0.15 * recorded), estimate


def test_text() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("hello world") in (2, 3)  # 2 for OpenAI's embedding recording
    english = "The quick brown fox jumps over the lazy dog. " * 20  # 200 tokens in cl100k
    assert 170 <= estimate_tokens(english) <= 230


def test_cjk_is_about_one_token_per_character() -> None:
    chinese = "请帮我写一封邮件告诉客户我们的产品将在下周一发布" * 10
    assert len(chinese) * 0.8 <= estimate_tokens(chinese) <= len(chinese) * 1.2


def test_scripts_by_utf8_length() -> None:
    assert estimate_tokens("привет" * 10) == 30  # 2-byte letters: 1/2 token each
    assert estimate_tokens("🙂" * 10) == 20  # 4-byte: 2 tokens each
    # A mix of 2- and 3-byte characters: 1/2 and 1 token each.
    assert estimate_tokens("ж" * 10 + "中" * 10) == 15


def test_messages_add_framing() -> None:
    text = "What is the capital of France?"
    alone = estimate_tokens(text)
    one = estimate_tokens([{"role": "user", "content": text}])
    assert one == alone + 3 + 1 + 3  # per message, the role, reply priming
    named = estimate_tokens([{"role": "user", "content": text, "name": "bob"}])
    assert named > one


def test_content_parts_and_images() -> None:
    text = [{"role": "user", "content": [{"type": "text", "text": "Describe this."}]}]
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + "A" * 10_000}}
    low = {
        "type": "image_url",
        "image_url": {"url": "https://example.invalid/x.png", "detail": "low"},
    }
    with_image = [{"role": "user", "content": [text[0]["content"][0], image]}]
    with_low = [{"role": "user", "content": [text[0]["content"][0], low]}]
    assert estimate_tokens(with_image) - estimate_tokens(text) == 765
    assert estimate_tokens(with_low) - estimate_tokens(text) == 85
    anthropic_image = {"type": "image", "source": {"type": "base64", "data": "A" * 10_000}}
    assert estimate_tokens([{"role": "user", "content": [anthropic_image]}]) == 765 + 7


def test_tool_calls_and_results_count() -> None:
    call = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
            }
        ],
    }
    result = {"role": "tool", "tool_call_id": "call_1", "content": "3"}
    assert estimate_tokens([call, result]) > estimate_tokens([result]) + 3
    anthropic = [
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {"a": 1, "b": 2}}
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": [{"type": "text", "text": "3"}],
                }
            ],
        },
    ]
    assert estimate_tokens(anthropic) > 2 * (3 + 1) + 3


def test_tools_add_to_the_prompt() -> None:
    messages = [{"role": "user", "content": "hi"}]
    assert estimate_prompt_tokens(messages) == estimate_tokens(messages)
    openai_style = estimate_prompt_tokens(messages, [ADD_TOOL])
    anthropic_style = estimate_prompt_tokens(
        messages,
        [
            {
                "name": "add",
                "description": ADD_TOOL["function"]["description"],
                "input_schema": ADD_TOOL["function"]["parameters"],
            }
        ],
    )
    assert openai_style == anthropic_style > estimate_tokens(messages) + 30


def test_embedding_input_list() -> None:
    assert estimate_tokens(["hello world", "hello world"]) == 5  # ceil(2.5 + 2.5), no framing


def test_hostile_nesting_is_bounded() -> None:
    deep: dict[str, Any] = {"type": "text", "text": "x"}
    for _ in range(10_000):
        deep = {"type": "wrapper", "content": [deep]}
    assert estimate_tokens([{"role": "user", "content": [deep]}]) >= 7
    schema: dict[str, Any] = {"type": "object"}
    for _ in range(10_000):
        schema = {"type": "object", "properties": {"p": schema}}
    assert estimate_prompt_tokens([], [{"name": "t", "input_schema": schema}]) > 0


@given(st.text())
def test_any_text_gives_a_count(text: str) -> None:
    count = estimate_tokens(text)
    assert isinstance(count, int) and count >= 0
    assert (count == 0) == (text == "")


@settings(max_examples=50)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=30,
    )
)
def test_any_json_content_gives_a_count(content: Any) -> None:
    messages = [{"role": "user", "content": content, "tool_calls": [{"function": content}]}]
    assert estimate_tokens(messages) >= 7
    assert estimate_prompt_tokens(messages, [{"function": content}]) >= 7


def test_lone_surrogate_does_not_raise() -> None:
    assert estimate_tokens("a\ud800b") >= 1


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "text",
                    "content",
                    "image_url",
                    "detail",
                    "function",
                    "arguments",
                    "properties",
                    "enum",
                    "items",
                    "input_schema",
                    "parameters",
                    "description",
                    "name",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=50)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["role", "content", "name", "tool_calls", "function_call"]), _JSON
        ),
        max_size=4,
    ),
    st.lists(_JSON.filter(lambda v: isinstance(v, dict)), max_size=3),
)
def test_request_shaped_garbage_gives_a_count(messages: list[Any], tools: list[Any]) -> None:
    assert estimate_prompt_tokens(messages, tools) >= 0
