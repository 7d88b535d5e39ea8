"""OpenAI Chat Completions and legacy Completions, driven by the official SDK and raw bytes."""

from __future__ import annotations

import json

import aiohttp
import openai
import pytest
from pydantic import BaseModel

from lockgate.mock import MockServer

USER = [{"role": "user", "content": "What is the weather in Paris?"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
            },
            "required": ["city", "unit", "days"],
        },
    },
}
AUTH = {"Authorization": "Bearer sk-test"}


async def test_chat_completion(oai: openai.AsyncOpenAI) -> None:
    raw = await oai.chat.completions.with_raw_response.create(model="gpt-4o", messages=USER)
    completion = raw.parse()
    assert raw.headers["x-request-id"].startswith("req_")
    assert raw.headers["content-type"] == "application/json"
    assert completion.id.startswith("chatcmpl-") and len(completion.id) == 38
    assert completion.object == "chat.completion"
    assert completion.model == "gpt-4o"
    choice = completion.choices[0]
    assert choice.message.content == "This is a mock reply to: What is the weather in Paris?"
    assert choice.finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == 8  # 29 characters / 4, rounded up
    assert completion.usage.completion_tokens == 12
    assert completion.usage.total_tokens == 20


async def test_chat_body_is_pretty_printed_in_openai_key_order(
    mock: MockServer, http: aiohttp.ClientSession
) -> None:
    body = {"model": "gpt-4o", "messages": USER}
    async with http.post(f"{mock.url}/v1/chat/completions", json=body, headers=AUTH) as resp:
        text = await resp.text()
    assert text.startswith('{\n  "id": "chatcmpl-')
    keys = list(json.loads(text))
    assert keys == [
        "id",
        "object",
        "created",
        "model",
        "choices",
        "usage",
        "service_tier",
        "system_fingerprint",
    ]


async def test_chat_stream_with_usage(oai: openai.AsyncOpenAI) -> None:
    stream = await oai.chat.completions.create(
        model="gpt-4o", messages=USER, stream=True, stream_options={"include_usage": True}
    )
    chunks = [chunk async for chunk in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "This is a mock reply to: What is the weather in Paris?"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 12
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert len({c.id for c in chunks}) == 1


async def test_chat_stream_bytes(mock: MockServer, http: aiohttp.ClientSession) -> None:
    body = {
        "model": "gpt-4o",
        "messages": USER,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    async with http.post(f"{mock.url}/v1/chat/completions", json=body, headers=AUTH) as resp:
        assert resp.headers["content-type"] == "text/event-stream; charset=utf-8"
        raw = await resp.read()
    assert raw.endswith(b"}\n\ndata: [DONE]\n\n")
    events = raw.split(b"\n\n")[:-1]
    assert all(e.startswith(b"data: ") for e in events)
    chunks = [json.loads(e[6:]) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    assert list(chunks[0]) == [
        "id",
        "object",
        "created",
        "model",
        "service_tier",
        "system_fingerprint",
        "choices",
        "usage",
    ]
    assert all(c["usage"] is None for c in chunks[:-1])
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] == 20


async def test_stream_without_include_usage_has_no_usage_key(
    mock: MockServer, http: aiohttp.ClientSession
) -> None:
    body = {"model": "gpt-4o", "messages": USER, "stream": True}
    async with http.post(f"{mock.url}/chat/completions", json=body, headers=AUTH) as resp:
        raw = await resp.read()
    chunks = [json.loads(e[6:]) for e in raw.split(b"\n\n")[:-2]]
    assert all("usage" not in c for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


async def test_tool_call(oai: openai.AsyncOpenAI) -> None:
    completion = await oai.chat.completions.create(
        model="gpt-4o", messages=USER, tools=[WEATHER_TOOL]
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert call.id.startswith("call_") and call.type == "function"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "mock", "unit": "celsius", "days": 1}


async def test_tool_call_stream_in_fragments(oai: openai.AsyncOpenAI) -> None:
    stream = await oai.chat.completions.create(
        model="gpt-4o", messages=USER, tools=[WEATHER_TOOL], stream=True
    )
    chunks = [chunk async for chunk in stream]
    deltas = [c.choices[0].delta.tool_calls for c in chunks if c.choices[0].delta.tool_calls]
    assert deltas[0][0].id is not None and deltas[0][0].function is not None
    assert deltas[0][0].function.name == "get_weather"
    assert deltas[0][0].function.arguments == ""
    fragments = [d[0].function.arguments for d in deltas[1:] if d[0].function]
    assert len(fragments) > 3 and all(d[0].id is None for d in deltas[1:])
    assert json.loads("".join(f or "" for f in fragments))["unit"] == "celsius"
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


async def test_tool_result_gets_a_text_answer(oai: openai.AsyncOpenAI) -> None:
    messages = [
        *USER,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    completion = await oai.chat.completions.create(
        model="gpt-4o",
        messages=messages,
        tools=[WEATHER_TOOL],
    )
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.content


async def test_tool_choice_none_and_named(oai: openai.AsyncOpenAI) -> None:
    other = {"type": "function", "function": {"name": "other", "parameters": {"type": "object"}}}
    none = await oai.chat.completions.create(
        model="gpt-4o", messages=USER, tools=[WEATHER_TOOL], tool_choice="none"
    )
    assert none.choices[0].message.tool_calls is None
    named = await oai.chat.completions.create(
        model="gpt-4o",
        messages=USER,
        tools=[WEATHER_TOOL, other],
        tool_choice={"type": "function", "function": {"name": "other"}},
    )
    calls = named.choices[0].message.tool_calls
    assert calls is not None and calls[0].function.name == "other"


class Answer(BaseModel):
    city: str
    temperature: float
    tags: list[str]


async def test_structured_output_parses(oai: openai.AsyncOpenAI) -> None:
    completion = await oai.chat.completions.parse(
        model="gpt-4o", messages=USER, response_format=Answer
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Answer) and parsed.tags


async def test_json_object_mode(oai: openai.AsyncOpenAI) -> None:
    completion = await oai.chat.completions.create(
        model="gpt-4o", messages=USER, response_format={"type": "json_object"}
    )
    assert "reply" in json.loads(completion.choices[0].message.content or "")


async def test_max_tokens_truncates(oai: openai.AsyncOpenAI) -> None:
    completion = await oai.chat.completions.create(model="gpt-4o", messages=USER, max_tokens=3)
    assert completion.choices[0].message.content == "This is a"
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage is not None and completion.usage.completion_tokens == 3


async def test_missing_messages_is_a_400(oai: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        await oai.chat.completions.create(model="gpt-4o", messages=[])
    assert "messages" in str(info.value)


async def test_missing_key_is_openais_401(mock: MockServer, http: aiohttp.ClientSession) -> None:
    body = {"model": "gpt-4o", "messages": USER}
    async with http.post(f"{mock.url}/v1/chat/completions", json=body) as resp:
        assert resp.status == 401
        assert resp.headers["www-authenticate"] == 'Bearer realm="OpenAI API"'
        error = (await resp.json())["error"]
    assert error["message"].startswith("You didn't provide an API key.")
    assert list(error) == ["message", "type", "param", "code"]


async def test_legacy_completion(oai: openai.AsyncOpenAI) -> None:
    completion = await oai.completions.create(
        model="gpt-3.5-turbo-instruct", prompt="Say hello", max_tokens=50
    )
    assert completion.object == "text_completion" and completion.id.startswith("cmpl-")
    assert completion.choices[0].text == "This is a mock reply to: Say hello"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.prompt_tokens == 3


async def test_legacy_completion_stream(oai: openai.AsyncOpenAI) -> None:
    stream = await oai.completions.create(
        model="gpt-3.5-turbo-instruct",
        prompt="Say hello",
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    assert "".join(c.choices[0].text for c in chunks if c.choices).startswith("This is a mock")
    # Legacy completions default to 16 tokens, like the real API.
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].choices == []
