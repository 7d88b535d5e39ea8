"""Ollama native translation against the examples of wire-formats §6.3 (no network)."""

from __future__ import annotations

import orjson
import pytest

from lockgate.client.credentials import resolve_credentials
from lockgate.errors import ContextWindowExceededError, InternalServerError, NotFoundError
from lockgate.providers import PROVIDERS
from lockgate.providers.ollama.adapter import OllamaAdapter
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
from tests.providers.ollama.recordings import (
    ERROR_LINE,
    NON_STREAM,
    STREAM_FINAL,
    STREAM_LINE,
    TOOL_FINAL,
    TOOL_LINE,
    ndjson,
)

ADAPTER = OllamaAdapter()
LOCAL = credentials(api_base="http://localhost:11434", api_key=None)


def test_defaults_need_no_key() -> None:
    creds = resolve_credentials(PROVIDERS["ollama"], {})
    assert creds.api_base == "http://localhost:11434" and creds.api_key is None
    env = resolve_credentials(PROVIDERS["ollama_chat"], {"OLLAMA_API_BASE": "http://gpu:11434"})
    assert env.api_base == "http://gpu:11434"


@pytest.mark.parametrize("base", ["http://localhost:11434", "http://localhost:11434/api/"])
def test_url_and_explicit_stream_false(base: str) -> None:
    request = ADAPTER.build_chat_request(
        chat("ollama", "llama3.2", creds=credentials(api_base=base, api_key=None))
    )
    assert request.url == "http://localhost:11434/api/chat"
    assert "Authorization" not in request.headers
    # Ollama streams by default: a non-stream call must say so.
    assert body_of(request)["stream"] is False
    assert (
        body_of(ADAPTER.build_chat_request(chat("ollama", "m", stream=True, creds=LOCAL)))["stream"]
        is True
    )


def test_request_body() -> None:
    tool = {
        "type": "function",
        "function": {"name": "get_weather", "parameters": {"type": "object"}},
    }
    messages = [
        {"role": "developer", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Weather here?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0K"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Tokyo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    call = chat(
        "ollama",
        "llama3.2",
        messages,
        creds=LOCAL,
        temperature=0.1,
        max_tokens=64,
        stop="END",
        seed=7,
        num_ctx=8192,
        tools=[tool],
        response_format={"type": "json_object"},
        keep_alive="5m",
    )
    assert body_of(ADAPTER.build_chat_request(call)) == {
        "model": "llama3.2",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather here?", "images": ["iVBORw0K"]},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {"function": {"name": "get_weather", "arguments": {"city": "Tokyo"}}}
                ],
            },
            {
                "role": "tool",
                "content": "sunny",
                "tool_name": "get_weather",
                "tool_call_id": "call_1",
            },
        ],
        "stream": False,
        "options": {
            "temperature": 0.1,
            "num_predict": 64,
            "seed": 7,
            "stop": ["END"],
            "num_ctx": 8192,
        },
        "tools": [tool],
        "format": "json",
        "keep_alive": "5m",
    }


def test_schema_format_and_think() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    body = body_of(
        ADAPTER.build_chat_request(
            chat(
                "ollama",
                "gpt-oss:20b",
                creds=LOCAL,
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "x", "schema": schema},
                },
                reasoning_effort="high",
            )
        )
    )
    assert body["format"] == schema and body["think"] == "high"
    qwen = body_of(
        ADAPTER.build_chat_request(chat("ollama", "qwen3", creds=LOCAL, reasoning_effort="low"))
    )
    assert qwen["think"] is True


def test_non_stream_response() -> None:
    completion = ADAPTER.parse_chat_response(chat("ollama", "llama3.2"), response(NON_STREAM))
    assert completion.choices[0].message.content == "Hello! How are you today?"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (26, 298)
    assert completion._hidden_params["ollama_timings_ns"]["total_duration"] == 5191566416


def test_tool_call_response_arguments_become_strings() -> None:
    raw = {**TOOL_FINAL, "message": TOOL_LINE["message"]}
    completion = ADAPTER.parse_chat_response(chat("ollama", "llama3.2"), response(raw))
    calls = completion.choices[0].message.tool_calls
    assert calls is not None and calls[0].function.name == "get_weather"
    assert orjson.loads(calls[0].function.arguments) == {"city": "Tokyo"}
    assert calls[0].id
    assert completion.choices[0].finish_reason == "tool_calls"


def test_stream() -> None:
    raw = ndjson(
        STREAM_LINE,
        {**STREAM_LINE, "message": {"role": "assistant", "content": " sky"}},
        STREAM_FINAL,
    )
    chunks = feed(ADAPTER, chat("ollama", "llama3.2", stream=True), raw)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert text_of(chunks) == "The sky"
    assert finish_of(chunks) == "stop"
    usage = usage_of(chunks)
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (26, 282, 308)


def test_stream_with_tools() -> None:
    chunks = feed(ADAPTER, chat("ollama", "llama3.2", stream=True), ndjson(TOOL_LINE, TOOL_FINAL))
    [call] = tool_calls_of(chunks).values()
    assert call["name"] == "get_weather"
    assert orjson.loads(call["arguments"]) == {"city": "Tokyo"}
    assert finish_of(chunks) == "tool_calls"
    assert usage_of(chunks).prompt_tokens == 169


def test_length_finish_and_thinking() -> None:
    thinking = {**STREAM_LINE, "message": {"role": "assistant", "content": "", "thinking": "Hmm"}}
    chunks = feed(
        ADAPTER,
        chat("ollama", "m", stream=True),
        ndjson(thinking, {**STREAM_FINAL, "done_reason": "length"}),
    )
    assert text_of(chunks, "reasoning_content") == "Hmm"
    assert finish_of(chunks) == "length"


def test_mid_stream_error_line() -> None:
    with pytest.raises(InternalServerError, match="error was encountered"):
        feed(ADAPTER, chat("ollama", "m", stream=True), ndjson(STREAM_LINE, ERROR_LINE))


def test_errors() -> None:
    missing = ADAPTER.map_error(
        response({"error": 'model "llama3" not found, try pulling it first'}, 404)
    )
    assert isinstance(missing, NotFoundError)
    long = ADAPTER.map_error(
        response({"error": "prompt too long; exceeded max context length by 4096 tokens"}, 400)
    )
    assert isinstance(long, ContextWindowExceededError)
    busy = ADAPTER.map_error(
        response({"error": "server busy, please try again."}, 503, **{"retry-after": "1"})
    )
    assert busy.status_code == 503 and busy.retry_after == 1.0


def test_embed() -> None:
    call = embedding("ollama", "all-minilm", ["Why is the sky blue?"], creds=LOCAL, dimensions=128)
    request = ADAPTER.build_embedding_request(call)
    assert request.url == "http://localhost:11434/api/embed"
    assert body_of(request) == {
        "model": "all-minilm",
        "input": ["Why is the sky blue?"],
        "dimensions": 128,
    }
    answer = {
        "model": "all-minilm",
        "embeddings": [[0.010071029, -0.0017594862]],
        "total_duration": 14143917,
        "load_duration": 1019500,
        "prompt_eval_count": 8,
    }
    result = ADAPTER.parse_embedding_response(call, response(answer))
    assert result.data[0].embedding == [0.010071029, -0.0017594862]
    assert result.usage is not None and result.usage.prompt_tokens == 8
