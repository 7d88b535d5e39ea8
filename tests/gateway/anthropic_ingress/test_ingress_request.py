"""Anthropic request bodies → OpenAI-format calls, from the recordings and Claude Code's shapes."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest
from ingress_recordings import TEXT_REQUEST, TOOL_REQUEST

from lockgate.gateway.anthropic_ingress import OpenAIChatRequest, anthropic_request_to_openai

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
EPHEMERAL = {"type": "ephemeral"}


def _body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "claude-test",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "hi"}],
    }
    body.update(fields)
    return body


def test_text_recording() -> None:
    call = anthropic_request_to_openai(json.loads(TEXT_REQUEST))
    assert call == OpenAIChatRequest(
        model="claude-sonnet-4-5-20250929",
        messages=[{"role": "user", "content": "When do you use 'whom' instead of 'who'?"}],
        params={"max_tokens": 15, "temperature": 0.0},
    )
    assert not call.stream


def test_tool_recording() -> None:
    body = json.loads(TOOL_REQUEST)
    call = anthropic_request_to_openai(body)
    assert call.params == {
        "max_tokens": 64000,
        "temperature": 1.0,
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "add",
                    "description": body["tools"][0]["description"],
                    "parameters": {
                        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                        "required": ["a", "b"],
                        "type": "object",
                    },
                },
            }
        ],
    }


def test_system_string_and_blocks() -> None:
    call = anthropic_request_to_openai(_body(system="Be brief."))
    assert call.messages[0] == {"role": "system", "content": "Be brief."}
    # Claude Code's shape: several text blocks, the last ones marked for caching.
    system = [
        {"type": "text", "text": "You are Claude Code."},
        {"type": "text", "text": "Tools follow.", "cache_control": EPHEMERAL},
    ]
    call = anthropic_request_to_openai(_body(system=system))
    assert call.messages[0] == {
        "role": "system",
        "content": [
            {"type": "text", "text": "You are Claude Code."},
            {"type": "text", "text": "Tools follow.", "cache_control": EPHEMERAL},
        ],
    }
    assert anthropic_request_to_openai(_body(system="")).messages == [
        {"role": "user", "content": "hi"}
    ]
    one_block = anthropic_request_to_openai(_body(system=[{"type": "text", "text": "S"}]))
    assert one_block.messages[0] == {"role": "system", "content": "S"}


def test_tool_loop_with_thinking_results_and_images() -> None:
    thinking = {"type": "thinking", "thinking": "Look at both files.", "signature": "sig=="}
    redacted = {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3p"}
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "Compare a.txt and logo.png"}]},
        {
            "role": "assistant",
            "content": [
                thinking,
                redacted,
                {"type": "text", "text": "Reading both."},
                {"type": "tool_use", "id": "toolu_1", "name": "read", "input": {"path": "a.txt"}},
                {
                    "type": "tool_use",
                    "id": "toolu_2",
                    "name": "read",
                    "input": {"path": "logo.png"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "hello"},
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_2",
                    "is_error": True,
                    "cache_control": EPHEMERAL,
                    "content": [
                        {"type": "text", "text": "partial read"},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                        },
                    ],
                },
                {"type": "text", "text": "Go on."},
            ],
        },
    ]
    call = anthropic_request_to_openai(_body(messages=messages))
    assert call.messages == [
        {"role": "user", "content": "Compare a.txt and logo.png"},
        {
            "role": "assistant",
            "content": "Reading both.",
            "tool_calls": [
                {
                    "id": "toolu_1",
                    "type": "function",
                    "function": {"name": "read", "arguments": '{"path":"a.txt"}'},
                },
                {
                    "id": "toolu_2",
                    "type": "function",
                    "function": {"name": "read", "arguments": '{"path":"logo.png"}'},
                },
            ],
            "thinking_blocks": [thinking, redacted],
        },
        {"role": "tool", "tool_call_id": "toolu_1", "content": "hello"},
        {
            "role": "tool",
            "tool_call_id": "toolu_2",
            "content": "partial read",
            "is_error": True,
            "cache_control": EPHEMERAL,
        },
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
                {"type": "text", "text": "Go on."},
            ],
        },
    ]


def test_assistant_variants() -> None:
    messages = [
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t", "name": "f", "input": {}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t"}]},
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "A"}, {"type": "text", "text": "B"}],
        },
        {"role": "user", "content": "more"},
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "cached", "cache_control": EPHEMERAL}],
        },
        {"role": "user", "content": "again"},
        {"role": "assistant", "content": []},
    ]
    out = anthropic_request_to_openai(_body(messages=messages)).messages
    assert out[1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "t", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ],
    }
    assert out[2] == {"role": "tool", "tool_call_id": "t", "content": ""}
    assert out[3] == {"role": "assistant", "content": "AB"}
    assert out[5] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "cached", "cache_control": EPHEMERAL}],
    }
    assert out[7] == {"role": "assistant", "content": ""}


def test_tool_result_with_several_text_blocks_keeps_parts() -> None:
    result = {
        "type": "tool_result",
        "tool_use_id": "t",
        "content": [
            {"type": "text", "text": "one", "cache_control": EPHEMERAL},
            {"type": "text", "text": "two"},
        ],
    }
    call = anthropic_request_to_openai(_body(messages=[{"role": "user", "content": [result]}]))
    assert call.messages == [
        {
            "role": "tool",
            "tool_call_id": "t",
            "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}],
        }
    ]


def test_images_and_documents() -> None:
    content = [
        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": PNG},
            "cache_control": EPHEMERAL,
        },
        {
            "type": "document",
            "title": "report.pdf",
            "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"},
        },
        {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "plain"},
        },
        {
            "type": "document",
            "cache_control": EPHEMERAL,
            "source": {
                "type": "content",
                "content": [{"type": "text", "text": "c1"}, {"type": "text", "text": "c2"}],
            },
        },
        {"type": "document", "source": {"type": "content", "content": "inline"}},
        {"type": "text", "text": "Summarise."},
    ]
    call = anthropic_request_to_openai(_body(messages=[{"role": "user", "content": content}]))
    assert call.messages[0]["content"] == [
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
        {
            "type": "image_url",
            "image_url": {"url": f"data:image/png;base64,{PNG}"},
            "cache_control": EPHEMERAL,
        },
        {
            "type": "file",
            "file": {"file_data": "data:application/pdf;base64,JVBERi0x", "filename": "report.pdf"},
        },
        {"type": "text", "text": "plain"},
        {"type": "text", "text": "c1"},
        {"type": "text", "text": "c2", "cache_control": EPHEMERAL},
        {"type": "text", "text": "inline"},
        {"type": "text", "text": "Summarise."},
    ]


TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}
FUNCTION_TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": TOOL["input_schema"]},
}


@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [
        ({"type": "auto"}, {"tool_choice": "auto"}),
        ({"type": "any"}, {"tool_choice": "required"}),
        (
            {"type": "tool", "name": "get_weather"},
            {"tool_choice": {"type": "function", "function": {"name": "get_weather"}}},
        ),
        ({"type": "none"}, {"tool_choice": "none"}),
        (
            {"type": "auto", "disable_parallel_tool_use": True},
            {"tool_choice": "auto", "parallel_tool_calls": False},
        ),
        ({"type": "any", "disable_parallel_tool_use": False}, {"tool_choice": "required"}),
    ],
)
def test_tool_choice(tool_choice: dict[str, Any], expected: dict[str, Any]) -> None:
    call = anthropic_request_to_openai(_body(tools=[TOOL], tool_choice=tool_choice))
    assert call.params == {"max_tokens": 100, "tools": [FUNCTION_TOOL], **expected}


def test_tool_options_and_no_tools() -> None:
    tool = {**TOOL, "type": "custom", "strict": True, "cache_control": EPHEMERAL}
    call = anthropic_request_to_openai(_body(tools=[tool]))
    assert call.params["tools"] == [
        {
            "type": "function",
            "function": {"name": "get_weather", "parameters": TOOL["input_schema"], "strict": True},
            "cache_control": EPHEMERAL,
        }
    ]
    # OpenAI refuses tool_choice without tools, so an empty tool list drops both.
    call = anthropic_request_to_openai(_body(tools=[], tool_choice={"type": "any"}))
    assert call.params == {"max_tokens": 100}


@pytest.mark.parametrize(
    ("thinking", "effort"),
    [
        ({"type": "enabled", "budget_tokens": 1024}, "low"),
        ({"type": "enabled", "budget_tokens": 2048}, "medium"),
        ({"type": "enabled", "budget_tokens": 2049}, "high"),
        ({"type": "enabled", "budget_tokens": 31999}, "high"),
        ({"type": "disabled"}, None),
        ({"type": "adaptive"}, None),
    ],
)
def test_thinking(thinking: dict[str, Any], effort: str | None) -> None:
    call = anthropic_request_to_openai(_body(thinking=thinking))
    assert call.params.get("reasoning_effort") == effort
    assert call.anthropic_params == {"thinking": thinking}


def test_output_config() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    output_config = {"effort": "max", "format": {"type": "json_schema", "schema": schema}}
    call = anthropic_request_to_openai(
        _body(thinking={"type": "enabled", "budget_tokens": 1024}, output_config=output_config)
    )
    assert call.params["reasoning_effort"] == "high"  # effort wins over the budget
    assert call.params["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "output", "schema": schema},
    }
    assert call.anthropic_params["output_config"] == output_config


def test_other_parameters() -> None:
    body = _body(
        stop_sequences=["END", "STOP"],
        top_p=0.9,
        top_k=40,
        stream=True,
        metadata={"user_id": "user_abc"},
        cache_control=EPHEMERAL,
        service_tier="auto",
        container="c_1",
        context_management={"edits": []},
    )
    call = anthropic_request_to_openai(body)
    assert call.params == {
        "max_tokens": 100,
        "top_p": 0.9,
        "stop": ["END", "STOP"],
        "stream": True,
        "stream_options": {"include_usage": True},
        "user": "user_abc",
    }
    assert call.stream
    assert call.anthropic_params == {"top_k": 40, "cache_control": EPHEMERAL}
    assert call.ignored == ("container", "context_management", "service_tier")
    no_stream = anthropic_request_to_openai(_body(stream=False, metadata={"user_id": None}))
    assert no_stream.params == {"max_tokens": 100}


def test_max_tokens_zero_is_valid() -> None:
    # Anthropic accepts 0 to warm the prompt cache without generating.
    assert anthropic_request_to_openai(_body(max_tokens=0)).params == {"max_tokens": 0}


def test_request_is_frozen_and_body_untouched() -> None:
    body = json.loads(TOOL_REQUEST)
    body["system"] = [{"type": "text", "text": "S", "cache_control": EPHEMERAL}]
    before = copy.deepcopy(body)
    call = anthropic_request_to_openai(body)
    call.messages[0]["content"][0]["cache_control"]["type"] = "changed"
    call.params["tools"][0]["function"]["parameters"]["type"] = "changed"
    assert body == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        call.model = "other"  # type: ignore[misc]
