"""OpenAI ChatCompletions → Anthropic Messages response bodies, matched to the recordings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ingress_recordings import TEXT_RESPONSE, TOOL_RESPONSE

from lockgate.errors import BadGatewayError
from lockgate.gateway.anthropic_ingress import openai_response_to_anthropic
from lockgate.types import ChatCompletion, PromptTokensDetails, Usage

# Fields Anthropic adds that an OpenAI-format answer has no source for.
NOT_TRANSLATED = {"cache_creation", "service_tier", "inference_geo", "caller"}


def _completion(
    message: dict[str, Any], finish_reason: str | None, **fields: Any
) -> ChatCompletion:
    data = {
        "id": fields.pop("id", "chatcmpl-1"),
        "object": "chat.completion",
        "created": 1,
        "model": "upstream-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", **message},
                "finish_reason": finish_reason,
            }
        ],
        **fields,
    }
    return ChatCompletion.from_dict(data)


def _recorded(raw: bytes) -> dict[str, Any]:
    """The recording without the fields lockgate cannot know, key order kept."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in NOT_TRANSLATED}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    result: dict[str, Any] = strip(json.loads(raw))
    return result


def _key_orders(value: Any) -> list[list[str]]:
    if isinstance(value, dict):
        return [list(value), *(o for v in value.values() for o in _key_orders(v))]
    if isinstance(value, list):
        return [o for v in value for o in _key_orders(v)]
    return []


def test_text_recording() -> None:
    # What an adapter makes of the recorded Anthropic answer (its id kept, usage in OpenAI terms).
    completion = _completion(
        {"content": "# Who vs. Whom\n\n**Simple rule:** \n- **"},
        "length",
        id="msg_01ErAMJd3TSPp7wTfEG9kSj5",
        usage={"prompt_tokens": 22, "completion_tokens": 15, "total_tokens": 37},
    )
    body = openai_response_to_anthropic(completion, "claude-sonnet-4-5-20250929")
    expected = _recorded(TEXT_RESPONSE)
    assert body == expected
    assert _key_orders(body) == _key_orders(expected)


def test_tool_recording() -> None:
    completion = _completion(
        {
            "content": None,
            "tool_calls": [
                {
                    "id": "toolu_01E1nTDhsEjAChantYkxdavm",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
                }
            ],
        },
        "tool_calls",
        id="msg_01PA7kvz8Fj2N3Y6PqWy6iaN",
        usage={"prompt_tokens": 599, "completion_tokens": 68, "total_tokens": 667},
    )
    body = openai_response_to_anthropic(completion, "claude-sonnet-4-5-20250929")
    expected = _recorded(TOOL_RESPONSE)
    assert body == expected
    assert _key_orders(body) == _key_orders(expected)


def test_openai_ids_get_a_message_prefix() -> None:
    body = openai_response_to_anthropic(_completion({"content": "x"}, "stop"), "claude-test")
    assert body["id"] == "msg_chatcmpl-1"
    assert body["model"] == "claude-test"  # the model the client asked for, not the upstream's
    empty = openai_response_to_anthropic(_completion({"content": "x"}, "stop", id=""), "m")
    assert empty["id"].startswith("msg_") and len(empty["id"]) > 10


def test_cached_tokens_are_taken_out_of_input_tokens() -> None:
    # The DD cache-read recording: input 11, cache read 2055, output 100.
    usage = Usage(
        prompt_tokens=11 + 2055 + 7,
        completion_tokens=100,
        total_tokens=2173,
        prompt_tokens_details=PromptTokensDetails(cached_tokens=2055, cache_write_tokens=7),
    )
    completion = _completion({"content": "x"}, "stop")
    completion.usage = usage
    assert openai_response_to_anthropic(completion, "m")["usage"] == {
        "input_tokens": 11,
        "cache_creation_input_tokens": 7,
        "cache_read_input_tokens": 2055,
        "output_tokens": 100,
    }
    completion.usage = None
    assert openai_response_to_anthropic(completion, "m")["usage"] == {
        "input_tokens": 0,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 0,
    }
    # Inconsistent upstream details never produce a negative count.
    completion.usage = Usage(
        prompt_tokens=5, prompt_tokens_details=PromptTokensDetails(cached_tokens=9)
    )
    assert openai_response_to_anthropic(completion, "m")["usage"]["input_tokens"] == 0


@pytest.mark.parametrize(
    ("finish_reason", "has_tools", "choice_extra", "stop_reason", "stop_sequence"),
    [
        ("stop", False, {}, "end_turn", None),
        ("length", False, {}, "max_tokens", None),
        ("tool_calls", True, {}, "tool_use", None),
        ("function_call", True, {}, "tool_use", None),
        ("content_filter", False, {}, "refusal", None),
        ("stop", True, {}, "tool_use", None),  # Gemini/Ollama say "stop" after tool calls
        (None, False, {}, "end_turn", None),
        ("something_new", False, {}, "end_turn", None),
        ("stop", False, {"stop_sequence": "END"}, "stop_sequence", "END"),
        ("length", False, {"stop_sequence": "END"}, "max_tokens", None),
        ("pause_turn", False, {}, "pause_turn", None),  # an Anthropic value passes through
        ("model_context_window_exceeded", False, {}, "model_context_window_exceeded", None),
    ],
)
def test_stop_reasons(
    finish_reason: str | None,
    has_tools: bool,
    choice_extra: dict[str, Any],
    stop_reason: str,
    stop_sequence: str | None,
) -> None:
    message: dict[str, Any] = {"content": "x"}
    if has_tools:
        message["tool_calls"] = [
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ]
    completion = _completion(message, finish_reason)
    completion.choices[0].extra.update(choice_extra)
    body = openai_response_to_anthropic(completion, "m")
    assert (body["stop_reason"], body["stop_sequence"]) == (stop_reason, stop_sequence)


def test_reasoning_text_and_tools_in_anthropic_block_order() -> None:
    completion = _completion(
        {
            "content": "Let me add them.",
            "reasoning_content": "1 + 2 is simple.",
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a":1}'},
                },
                {"id": None, "type": "function", "function": {"name": "noop", "arguments": ""}},
                {
                    "id": "call_c",
                    "type": "function",
                    "function": {"name": "nul", "arguments": "null"},
                },
            ],
        },
        "tool_calls",
    )
    content = openai_response_to_anthropic(completion, "m")["content"]
    assert content[0] == {"type": "thinking", "thinking": "1 + 2 is simple.", "signature": ""}
    assert content[1] == {"type": "text", "text": "Let me add them."}
    assert content[2] == {"type": "tool_use", "id": "call_a", "name": "add", "input": {"a": 1}}
    assert content[3]["id"].startswith("toolu_") and content[3]["input"] == {}
    assert content[4]["input"] == {}


def test_thinking_blocks_with_signatures_win_over_reasoning_content() -> None:
    blocks = [
        {"type": "thinking", "thinking": "step", "signature": "EqQB"},
        {"type": "redacted_thinking", "data": "EmwK"},
        {"type": "thinking", "thinking": "no signature"},
        "junk",
        {"type": "unknown"},
    ]
    completion = _completion(
        {"content": "done", "reasoning_content": "step", "thinking_blocks": blocks}, "stop"
    )
    content = openai_response_to_anthropic(completion, "m")["content"]
    assert content == [
        {"type": "thinking", "thinking": "step", "signature": "EqQB"},
        {"type": "redacted_thinking", "data": "EmwK"},
        {"type": "thinking", "thinking": "no signature", "signature": ""},
        {"type": "text", "text": "done"},
    ]


def test_refusal_and_empty_answers() -> None:
    refused = _completion({"content": None, "refusal": "I can't help with that."}, "content_filter")
    body = openai_response_to_anthropic(refused, "m")
    assert body["content"] == [{"type": "text", "text": "I can't help with that."}]
    assert body["stop_reason"] == "refusal"
    empty = openai_response_to_anthropic(_completion({"content": ""}, "stop"), "m")
    assert empty["content"] == []
    no_choices = openai_response_to_anthropic(ChatCompletion(id="x"), "m")
    assert no_choices["content"] == [] and no_choices["stop_reason"] == "end_turn"


@pytest.mark.parametrize("arguments", ['{"a": 1', "[1, 2]", '"text"', "12"])
def test_tool_arguments_that_are_not_an_object_are_a_bad_gateway(arguments: str) -> None:
    completion = _completion(
        {
            "tool_calls": [
                {"id": "c", "type": "function", "function": {"name": "f", "arguments": arguments}}
            ]
        },
        "tool_calls",
    )
    with pytest.raises(BadGatewayError) as caught:
        openai_response_to_anthropic(completion, "m")
    assert caught.value.status_code == 502
