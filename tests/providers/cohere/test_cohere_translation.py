"""Cohere v2 translation against the recordings of wire-formats §6.1 (no network)."""

from __future__ import annotations

import orjson
import pytest

from lockgate.errors import (
    AuthenticationError,
    ContextWindowExceededError,
    InternalServerError,
    RateLimitError,
)
from lockgate.providers import PROVIDERS
from lockgate.providers.cohere.adapter import CohereAdapter
from lockgate.providers.rerank import RerankCall
from tests.providers.cohere.recordings import (
    TEXT_RESPONSE,
    TEXT_STREAM,
    TOOL_CALL_RESPONSE,
    TOOL_CALL_STREAM,
)
from tests.providers.native_calls import (
    body_of,
    chat,
    credentials,
    embedding,
    feed,
    finish_of,
    response,
    text_of,
    tool_calls_of,
    usage_of,
)

ADAPTER = CohereAdapter()
WEATHER = {
    "type": "function",
    "function": {
        "name": "weather",
        "description": "Get the weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
    },
}


def sse(payloads: tuple[bytes, ...], *, named: bool = True, done: bool = True) -> bytes:
    out = b""
    for payload in payloads:
        kind = orjson.loads(payload)["type"].encode()
        out += (b"event: " + kind + b"\n" if named else b"") + b"data: " + payload + b"\n\n"
    return out + (b"data: [DONE]\n" if done else b"")


@pytest.mark.parametrize(
    "base",
    [
        "https://api.cohere.com",
        "https://api.cohere.com/",
        "https://api.cohere.com/v2",
        "https://api.cohere.com/v1",
    ],
)
def test_url_from_any_base_form(base: str) -> None:
    request = ADAPTER.build_chat_request(
        chat("cohere", "command-a-03-2025", creds=credentials(api_base=base))
    )
    assert request.url == "https://api.cohere.com/v2/chat"
    assert request.headers["Authorization"] == "Bearer test-key"


def test_request_body() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Weather in SF?"}]},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "weather_1",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"location":"SF"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "weather_1", "content": "sunny"},
    ]
    call = chat(
        "cohere",
        "command-a-03-2025",
        messages,
        stream=True,
        max_completion_tokens=50,
        top_p=0.5,
        stop="END",
        seed=3,
        tools=[WEATHER],
        tool_choice="required",
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "x", "schema": {"type": "object"}},
        },
        k=10,
    )
    assert body_of(ADAPTER.build_chat_request(call)) == {
        "model": "command-a-03-2025",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Weather in SF?"}]},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "weather_1",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"location":"SF"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "weather_1", "content": "sunny"},
        ],
        "seed": 3,
        "p": 0.5,
        "max_tokens": 50,
        "stop_sequences": ["END"],
        "tools": [WEATHER],
        "tool_choice": "REQUIRED",
        "response_format": {"type": "json_object", "json_schema": {"type": "object"}},
        "k": 10,
        "stream": True,
    }


def test_named_tool_choice_and_none() -> None:
    other = {"type": "function", "function": {"name": "other"}}
    named = {"type": "function", "function": {"name": "weather"}}
    body = body_of(
        ADAPTER.build_chat_request(chat("cohere", "c", tools=[WEATHER, other], tool_choice=named))
    )
    assert body["tools"] == [WEATHER] and body["tool_choice"] == "REQUIRED"
    assert (
        body_of(
            ADAPTER.build_chat_request(chat("cohere", "c", tools=[WEATHER], tool_choice="none"))
        )["tool_choice"]
        == "NONE"
    )


def test_recorded_text_response() -> None:
    completion = ADAPTER.parse_chat_response(
        chat("cohere", "command-a-03-2025"), response(TEXT_RESPONSE)
    )
    assert completion.id == "e7592632-1e3d-424f-b129-bd5f9f980f7b"
    assert completion.choices[0].message.content == "The capital of France is Paris."
    assert completion.choices[0].finish_reason == "stop"
    usage = completion.usage
    assert usage is not None
    # Billed units are the usage; the raw counts (with Cohere's preamble) are kept aside.
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (12, 7, 19)
    assert usage.extra["tokens"] == {"input_tokens": 507, "output_tokens": 10}


def test_recorded_tool_call_response() -> None:
    completion = ADAPTER.parse_chat_response(chat("cohere", "c"), response(TOOL_CALL_RESPONSE))
    message = completion.choices[0].message
    assert message.tool_calls is not None
    assert [(c.id, c.function.name, c.function.arguments) for c in message.tool_calls] == [
        ("weather_dqgshstja6p9", "weather", '{"location":"San Francisco"}'),
        ("cityAttractions_dcxfx4myvx68", "cityAttractions", '{"city":"San Francisco"}'),
    ]
    assert message.content is None
    assert message.extra["tool_plan"].startswith("I will use the weather tool")
    assert completion.choices[0].finish_reason == "tool_calls"


@pytest.mark.parametrize("named", [True, False])
def test_recorded_text_stream(named: bool) -> None:
    chunks = feed(ADAPTER, chat("cohere", "c", stream=True), sse(TEXT_STREAM, named=named))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[0].id == "321d178c-2c12-44d3-ae42-2f5510f6b1cc"
    assert text_of(chunks) == "The capital of France is Paris."
    assert finish_of(chunks) == "stop"
    usage = usage_of(chunks)
    assert (usage.prompt_tokens, usage.completion_tokens) == (12, 7)


def test_stream_ends_at_message_end_without_done() -> None:
    feed(ADAPTER, chat("cohere", "c", stream=True), sse(TEXT_STREAM, done=False))


def test_recorded_tool_call_stream() -> None:
    chunks = feed(ADAPTER, chat("cohere", "c", stream=True), sse(TOOL_CALL_STREAM))
    assert tool_calls_of(chunks) == {
        0: {
            "id": "weather_e8p4pn45zt0t",
            "name": "weather",
            "arguments": '{"location": "San Francisco"}',
        }
    }
    assert text_of(chunks) == ""  # the tool plan is not content
    assert finish_of(chunks) == "tool_calls"


def test_stream_that_failed_midway() -> None:
    failed = b'{"type":"message-end","delta":{"error":"internal error","finish_reason":"ERROR"}}'
    with pytest.raises(InternalServerError, match="internal error"):
        feed(ADAPTER, chat("cohere", "c", stream=True), sse((*TEXT_STREAM[:3], failed)))


def test_errors() -> None:
    assert isinstance(
        ADAPTER.map_error(response({"message": "invalid api token"}, 401)), AuthenticationError
    )
    assert isinstance(
        ADAPTER.map_error(response({"message": "invalid token"}, 498)), AuthenticationError
    )
    rate = ADAPTER.map_error(
        response({"message": "You are using a Trial key"}, 429, **{"retry-after": "2"})
    )
    assert isinstance(rate, RateLimitError) and rate.retry_after == 2.0
    context = ADAPTER.map_error(
        response({"id": "x", "message": "too many tokens in the request"}, 400)
    )
    assert isinstance(context, ContextWindowExceededError)


def test_embed() -> None:
    call = embedding("cohere", "embed-v4.0", ["a", "b"], dimensions=256, encoding_format="base64")
    request = ADAPTER.build_embedding_request(call)
    assert request.url == "http://upstream.test/v2/embed"
    assert body_of(request) == {
        "model": "embed-v4.0",
        "texts": ["a", "b"],
        "input_type": "search_document",
        "embedding_types": ["float"],
        "output_dimension": 256,
    }
    answer = {
        "id": "x",
        "embeddings": {"float": [[1.0, 0.0], [0.5, 0.5]]},
        "texts": ["a", "b"],
        "meta": {"billed_units": {"input_tokens": 2}},
    }
    result = ADAPTER.parse_embedding_response(call, response(answer))
    assert result.data[0].embedding == "AACAPwAAAAA="  # 1.0, 0.0 as little-endian float32
    assert result.usage is not None and result.usage.prompt_tokens == 2


def test_rerank() -> None:
    call = RerankCall(
        PROVIDERS["cohere"],
        "rerank-v3.5",
        "capital?",
        ["Paris", {"text": "Berlin"}, {"title": "T", "body": "B"}],
        2,
        True,
        {"max_tokens_per_doc": 100},
        credentials(api_base="https://api.cohere.com/v1"),
    )
    request = ADAPTER.build_rerank_request(call)
    assert request.url == "https://api.cohere.com/v2/rerank"
    assert body_of(request) == {
        "model": "rerank-v3.5",
        "query": "capital?",
        "documents": ["Paris", "Berlin", "title: T\nbody: B"],
        "top_n": 2,
        "max_tokens_per_doc": 100,
    }
    answer = {
        "id": "r",
        "results": [{"index": 1, "relevance_score": 0.9}, {"index": 0, "relevance_score": 0.1}],
        "meta": {"billed_units": {"search_units": 1}},
    }
    result = ADAPTER.parse_rerank_response(call, response(answer))
    assert [(r.index, r.document) for r in result.results] == [
        (1, {"text": "Berlin"}),
        (0, {"text": "Paris"}),
    ]
    assert result.meta == {"billed_units": {"search_units": 1}}
