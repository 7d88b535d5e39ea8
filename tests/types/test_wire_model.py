"""OpenAI-shaped types: attribute and dict access, unknown fields kept, JSON round trips."""

from __future__ import annotations

import orjson

from lockgate.types import ChatCompletion, ChatCompletionChunk, EmbeddingResponse, Usage

# The tool-call response recorded from OpenAI (shared/wire-formats.md §1.1).
TOOL_CALL_RESPONSE = {
    "id": "chatcmpl-C47N6pBXAv0GaxmYpMf3f2BevXfbi",
    "object": "chat.completion",
    "created": 1755097684,
    "model": "gpt-3.5-turbo-0125",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_MDO16P3oyId52n98egufj3Wo",
                        "type": "function",
                        "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
                    }
                ],
                "refusal": None,
                "annotations": [],
            },
            "logprobs": None,
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {
        "prompt_tokens": 72,
        "completion_tokens": 32,
        "total_tokens": 104,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    },
    "service_tier": "default",
}


def test_attribute_and_dict_access_agree() -> None:
    response = ChatCompletion.from_dict(TOOL_CALL_RESPONSE)
    call = response.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "add"
    assert response["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == (
        '{"a": 1, "b": 2}'
    )
    assert response.get("missing", "default") == "default"
    assert "usage" in response and "nope" not in response


def test_round_trip_keeps_every_field_including_unknown_ones() -> None:
    response = ChatCompletion.from_dict(TOOL_CALL_RESPONSE)
    assert response.model_dump() == TOOL_CALL_RESPONSE
    assert orjson.loads(response.model_dump_json()) == TOOL_CALL_RESPONSE
    # "annotations" is not a declared field: it survives in extra.
    assert response.choices[0].message["annotations"] == []


def test_model_validate_json_and_equality() -> None:
    raw = orjson.dumps(TOOL_CALL_RESPONSE)
    assert ChatCompletion.model_validate_json(raw) == ChatCompletion.from_dict(TOOL_CALL_RESPONSE)


def test_usage_details() -> None:
    usage = Usage.from_dict(
        {
            "prompt_tokens": 1420,
            "completion_tokens": 100,
            "total_tokens": 1520,
            "prompt_tokens_details": {"cached_tokens": 1280, "cache_write_tokens": 20},
            "completion_tokens_details": {"reasoning_tokens": 64},
        }
    )
    assert (usage.cached_tokens, usage.cache_write_tokens, usage.reasoning_tokens) == (
        1280,
        20,
        64,
    )
    assert Usage(prompt_tokens=3).cached_tokens == 0


def test_chunk_omits_absent_optional_fields() -> None:
    chunk = ChatCompletionChunk.from_dict(
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}],
        }
    )
    dumped = chunk.model_dump()
    assert "usage" not in dumped
    assert dumped["choices"][0]["delta"] == {"content": "Hi"}
    chunk["usage"] = None
    assert chunk.usage is None


def test_tool_call_delta_keeps_index() -> None:
    chunk = ChatCompletionChunk.from_dict(
        {
            "id": "c",
            "choices": [
                {
                    "index": 0,
                    "delta": {"tool_calls": [{"index": 1, "function": {"arguments": '{"ti'}}]},
                }
            ],
        }
    )
    delta_call = chunk.choices[0].delta.tool_calls[0]  # type: ignore[index]
    assert delta_call.index == 1 and delta_call.function.arguments == '{"ti'


def test_embedding_response_and_hidden_cost() -> None:
    response = EmbeddingResponse.from_dict(
        {
            "object": "list",
            "data": [{"object": "embedding", "index": 0, "embedding": [0.1, -0.2]}],
            "model": "text-embedding-3-small",
            "usage": {"prompt_tokens": 4, "total_tokens": 4},
        }
    )
    assert response.data[0].embedding == [0.1, -0.2]
    assert response.response_cost is None
    response._hidden_params["response_cost"] = 0.5
    assert response.response_cost == 0.5
    assert "_hidden_params" not in response.model_dump()
