"""OpenAI-format calls to Anthropic Messages requests (pure translation)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from lockgate.errors import BadRequestError
from lockgate.providers.anthropic.adapter import AnthropicAdapter
from lockgate.providers.anthropic.request import messages_url
from tests.providers.anthropic import recordings
from tests.providers.helpers import body_of, chat_call

ADAPTER = AnthropicAdapter()
MODEL = "claude-sonnet-4-5-20250929"


def build(messages: list[dict[str, Any]], **params: Any) -> dict[str, Any]:
    return body_of(ADAPTER.build_chat_request(chat_call("anthropic", MODEL, messages, **params)))


def test_recorded_text_request_is_reproduced() -> None:
    body = build(
        [{"role": "user", "content": "When do you use 'whom' instead of 'who'?"}],
        max_tokens=15,
        temperature=0.0,
    )
    assert body == orjson.loads(recordings.TEXT_REQUEST)


def test_recorded_tool_request_is_reproduced_with_the_default_max_tokens() -> None:
    recorded = orjson.loads(recordings.TOOL_REQUEST)
    tool = recorded["tools"][0]
    body = build(
        [{"role": "user", "content": "What is the sum of 1 and 2?"}],
        temperature=1.0,
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "add",
                    "description": tool["description"],
                    "parameters": tool["input_schema"],
                },
            }
        ],
    )
    # No max_tokens given: the model's maximum output from the model table (64000), which is
    # also what the recorded client sent.
    assert body == recorded


def test_url_headers_and_api_base_forms() -> None:
    call = chat_call("anthropic", MODEL, [{"role": "user", "content": "hi"}], stream=True)
    request = ADAPTER.build_chat_request(call)
    assert request.url == "https://api.anthropic.com/v1/messages"
    assert request.headers["x-api-key"] == "test-key"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["Accept"] == "text/event-stream"
    assert "Authorization" not in request.headers
    assert body_of(request)["stream"] is True
    for base in (
        "https://api.anthropic.com",
        "https://api.anthropic.com/",
        "https://api.anthropic.com/v1",
        "https://api.anthropic.com/v1/messages",
    ):
        assert messages_url(base) == "https://api.anthropic.com/v1/messages"
    assert messages_url("http://proxy:8080/anthropic") == "http://proxy:8080/anthropic/v1/messages"


def test_system_messages_are_hoisted_and_roles_alternate() -> None:
    body = build(
        [
            {"role": "system", "content": "Be terse."},
            {"role": "user", "content": "one"},
            {"role": "developer", "content": "Answer in French."},
            {"role": "user", "content": [{"type": "text", "text": "two"}]},
            {"role": "assistant", "content": "un"},
            {"role": "assistant", "content": "deux "},
        ],
        max_tokens=10,
    )
    assert body["system"] == [
        {"type": "text", "text": "Be terse."},
        {"type": "text", "text": "Answer in French."},
    ]
    assert body["messages"] == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}],
        },
        # the final (prefill) assistant turn loses its trailing whitespace
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "un"}, {"type": "text", "text": "deux"}],
        },
    ]


def test_a_system_only_prompt_becomes_the_user_turn() -> None:
    body = build([{"role": "system", "content": "Say hi."}], max_tokens=5)
    assert "system" not in body
    assert body["messages"] == [{"role": "user", "content": "Say hi."}]


def test_parallel_tool_results_share_one_user_turn_before_its_text() -> None:
    body = build(
        [
            {"role": "user", "content": "weather in Paris and Oslo?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "toolu_1",
                        "type": "function",
                        "function": {"name": "w", "arguments": '{"city":"Paris"}'},
                    },
                    {
                        "id": "toolu_2",
                        "type": "function",
                        "function": {"name": "w", "arguments": '{"city":"Oslo"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "toolu_1", "content": "sunny"},
            {
                "role": "tool",
                "tool_call_id": "toolu_2",
                "content": [{"type": "text", "text": "rain"}],
                "is_error": True,
            },
            {"role": "user", "content": "thanks"},
        ],
        max_tokens=10,
    )
    assert body["messages"][1] == {
        "role": "assistant",
        "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "w", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_2", "name": "w", "input": {"city": "Oslo"}},
        ],
    }
    assert body["messages"][2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"},
            {
                "type": "tool_result",
                "tool_use_id": "toolu_2",
                "content": [{"type": "text", "text": "rain"}],
                "is_error": True,
            },
            {"type": "text", "text": "thanks"},
        ],
    }
    assert len(body["messages"]) == 3


def test_images_become_base64_and_url_sources() -> None:
    body = build(
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "compare"},
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="},
                    },
                    {"type": "image_url", "image_url": "https://example.com/cat.jpg"},
                    {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0="}},
                ],
            }
        ],
        max_tokens=10,
    )
    assert body["messages"][0]["content"][1:] == [
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
        },
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="},
        },
    ]


def test_cache_control_and_thinking_blocks_pass_through() -> None:
    marker = {"type": "ephemeral"}
    body = build(
        [
            {
                "role": "system",
                "content": [{"type": "text", "text": "long context", "cache_control": marker}],
            },
            {"role": "user", "content": "q1", "cache_control": marker},
            {
                "role": "assistant",
                "content": "a1",
                "thinking_blocks": [
                    {"type": "thinking", "thinking": "hmm", "signature": "sig-1"},
                    {"type": "redacted_thinking", "data": "opaque"},
                    {"type": "thinking", "thinking": "no signature: dropped"},
                ],
            },
            {"role": "user", "content": "q2"},
        ],
        max_tokens=10,
        tools=[
            {
                "type": "function",
                "function": {"name": "t", "parameters": {"type": "object"}},
                "cache_control": marker,
            }
        ],
    )
    assert body["system"] == [{"type": "text", "text": "long context", "cache_control": marker}]
    assert body["messages"][0] == {
        "role": "user",
        "content": [{"type": "text", "text": "q1", "cache_control": marker}],
    }
    assert body["messages"][1]["content"] == [
        {"type": "thinking", "thinking": "hmm", "signature": "sig-1"},
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "text", "text": "a1"},
    ]
    assert body["tools"] == [
        {"name": "t", "input_schema": {"type": "object"}, "cache_control": marker}
    ]


@pytest.mark.parametrize(
    ("choice", "parallel", "expected"),
    [
        ("auto", None, {"type": "auto"}),
        ("required", None, {"type": "any"}),
        ("none", None, {"type": "none"}),
        ({"type": "function", "function": {"name": "t"}}, None, {"type": "tool", "name": "t"}),
        ("required", False, {"type": "any", "disable_parallel_tool_use": True}),
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
    ],
)
def test_tool_choice(choice: Any, parallel: Any, expected: dict[str, Any]) -> None:
    params: dict[str, Any] = {"tools": [{"type": "function", "function": {"name": "t"}}]}
    if choice is not None:
        params["tool_choice"] = choice
    if parallel is not None:
        params["parallel_tool_calls"] = parallel
    body = build([{"role": "user", "content": "x"}], max_tokens=5, **params)
    assert body["tool_choice"] == expected
    assert body["tools"] == [{"name": "t", "input_schema": {"type": "object", "properties": {}}}]


def test_json_mode_is_a_forced_tool() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    body = build(
        [{"role": "user", "content": "x"}],
        max_tokens=5,
        response_format={"type": "json_schema", "json_schema": {"name": "out", "schema": schema}},
    )
    assert body["tools"][0]["name"] == "json_tool_call"
    assert body["tools"][0]["input_schema"] == schema
    assert body["tool_choice"] == {"type": "tool", "name": "json_tool_call"}


def test_json_schema_with_thinking_uses_output_config() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    body = build(
        [{"role": "user", "content": "x"}],
        max_tokens=5000,
        reasoning_effort="medium",
        response_format={"type": "json_schema", "json_schema": {"name": "out", "schema": schema}},
    )
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": schema}}
    assert "tools" not in body and "tool_choice" not in body


@pytest.mark.parametrize(
    ("effort", "budget", "max_tokens", "sent_max"),
    [("low", 1024, 5000, 5000), ("medium", 2048, 5000, 5000), ("high", 4096, 1000, 5096)],
)
def test_reasoning_effort_becomes_a_thinking_budget(
    effort: str, budget: int, max_tokens: int, sent_max: int
) -> None:
    body = build([{"role": "user", "content": "x"}], max_tokens=max_tokens, reasoning_effort=effort)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert body["max_tokens"] == sent_max


def test_explicit_thinking_and_anthropic_knobs_pass_through() -> None:
    body = build(
        [{"role": "user", "content": "x"}],
        max_completion_tokens=3000,
        thinking={"type": "enabled", "budget_tokens": 2000},
        top_k=5,
        stop=["END", "  "],
        user="u-1",
        extra_body={"service_tier": "auto"},
        stream_options={"include_usage": True},
    )
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2000}
    assert body["max_tokens"] == 3000
    assert body["top_k"] == 5
    assert body["stop_sequences"] == ["END"]
    assert body["metadata"] == {"user_id": "u-1"}
    assert body["service_tier"] == "auto"
    assert "stream_options" not in body


def test_supported_params_refuse_what_anthropic_lacks() -> None:
    call = chat_call("anthropic", MODEL, [{"role": "user", "content": "x"}], n=2)
    supported = ADAPTER.supported_params(call)
    assert "n" not in supported
    assert {"logit_bias", "logprobs", "seed", "frequency_penalty"}.isdisjoint(supported)
    assert {"tools", "reasoning_effort", "response_format", "stop", "user"} <= supported
    assert "n" in ADAPTER.supported_params(chat_call("anthropic", MODEL, [], n=1))


def test_bad_inputs_are_clear_400s() -> None:
    with pytest.raises(BadRequestError, match="JSON object"):
        build(
            [
                {"role": "user", "content": "x"},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": "a",
                            "type": "function",
                            "function": {"name": "t", "arguments": "[1]"},
                        }
                    ],
                },
            ]
        )
    with pytest.raises(BadRequestError, match="input_audio"):
        build(
            [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "x"}}]}]
        )
    with pytest.raises(BadRequestError, match="tool_call_id"):
        build([{"role": "tool", "content": "x"}])


def test_reasoning_effort_none_and_unknown() -> None:
    body = build([{"role": "user", "content": "x"}], max_tokens=5, reasoning_effort="none")
    assert "thinking" not in body
    with pytest.raises(BadRequestError, match="reasoning_effort"):
        build([{"role": "user", "content": "x"}], max_tokens=5, reasoning_effort="extreme")
