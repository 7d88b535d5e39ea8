"""Anthropic Messages: non-stream, stream event order, tools, thinking, count_tokens, errors."""

from __future__ import annotations

import json

import aiohttp
import anthropic
import pytest

from lockgate.mock import MockServer

USER = [{"role": "user", "content": "What is the weather in Paris?"}]
HEADERS = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}
TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
}


def _events(raw: bytes) -> list[tuple[str, dict[str, object]]]:
    events = []
    for block in raw.decode().split("\n\n")[:-1]:
        name, data = block.split("\n")
        events.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return events


async def test_message(claude: anthropic.AsyncAnthropic) -> None:
    raw = await claude.messages.with_raw_response.create(
        model="claude-x",
        max_tokens=100,
        messages=USER,
    )
    message = await raw.parse()
    assert raw.headers["request-id"].startswith("req_011C")
    assert "anthropic-ratelimit-requests-remaining" in raw.headers
    assert message.id.startswith("msg_01") and message.type == "message"
    assert message.content[0].type == "text"
    assert message.content[0].text == "This is a mock reply to: What is the weather in Paris?"
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens == 8 and message.usage.output_tokens == 12


async def test_message_key_order(mock: MockServer, http: aiohttp.ClientSession) -> None:
    body = {"model": "claude-x", "max_tokens": 10, "messages": USER}
    async with http.post(f"{mock.url}/v1/messages", json=body, headers=HEADERS) as resp:
        data = await resp.json()
    assert list(data) == [
        "model",
        "id",
        "type",
        "role",
        "content",
        "stop_reason",
        "stop_sequence",
        "stop_details",
        "usage",
    ]
    assert data["stop_reason"] == "max_tokens"


async def test_stream_event_order(mock: MockServer, http: aiohttp.ClientSession) -> None:
    body = {"model": "claude-x", "max_tokens": 100, "messages": USER, "stream": True}
    async with http.post(f"{mock.url}/messages", json=body, headers=HEADERS) as resp:
        assert resp.headers["content-type"] == "text/event-stream; charset=utf-8"
        raw = await resp.read()
    assert b'event: ping\ndata: {"type": "ping"}\n\n' in raw
    events = _events(raw)
    names = [name for name, _ in events]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert all(name == data["type"] for name, data in events)
    deltas = [d["delta"]["text"] for n, d in events if n == "content_block_delta"]
    assert "".join(deltas) == "This is a mock reply to: What is the weather in Paris?"
    message_delta = events[-2][1]
    assert message_delta["usage"]["output_tokens"] == 12
    assert message_delta["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}


async def test_stream_with_sdk(claude: anthropic.AsyncAnthropic) -> None:
    async with claude.messages.stream(
        model="claude-x",
        max_tokens=100,
        messages=USER,
    ) as stream:
        text = "".join([t async for t in stream.text_stream])
        final = await stream.get_final_message()
    assert text == final.content[0].text
    assert final.usage.output_tokens == 12


async def test_tool_use(claude: anthropic.AsyncAnthropic) -> None:
    message = await claude.messages.create(
        model="claude-x",
        max_tokens=100,
        messages=USER,
        tools=[TOOL],
    )
    block = message.content[0]
    assert message.stop_reason == "tool_use"
    assert block.type == "tool_use" and block.id.startswith("toolu_01")
    assert block.name == "get_weather" and block.input == {"location": "mock"}


async def test_tool_use_stream(claude: anthropic.AsyncAnthropic) -> None:
    async with claude.messages.stream(
        model="claude-x",
        max_tokens=100,
        messages=USER,
        tools=[TOOL],
    ) as stream:
        partials = [e.partial_json async for e in stream if e.type == "input_json"]
        final = await stream.get_final_message()
    assert partials[0] == "" and len(partials) > 2
    assert final.content[0].input == {"location": "mock"}


async def test_tool_result_gets_text(claude: anthropic.AsyncAnthropic) -> None:
    messages = [
        *USER,
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"}],
        },
    ]
    message = await claude.messages.create(
        model="claude-x",
        max_tokens=100,
        messages=messages,
        tools=[TOOL],
    )
    assert message.stop_reason == "end_turn"
    assert message.content[0].text.endswith("Paris?")


async def test_thinking_stream(mock: MockServer, http: aiohttp.ClientSession) -> None:
    body = {
        "model": "claude-x",
        "max_tokens": 2000,
        "messages": USER,
        "stream": True,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    }
    async with http.post(f"{mock.url}/v1/messages", json=body, headers=HEADERS) as resp:
        events = _events(await resp.read())
    starts = [d["content_block"]["type"] for n, d in events if n == "content_block_start"]
    assert starts == ["thinking", "text"]
    kinds = [d["delta"]["type"] for n, d in events if n == "content_block_delta"]
    assert kinds[0] == "thinking_delta" and "signature_delta" in kinds
    assert kinds.index("signature_delta") < kinds.index("text_delta")


async def test_thinking_non_stream(claude: anthropic.AsyncAnthropic) -> None:
    message = await claude.messages.create(
        model="claude-x",
        max_tokens=2000,
        messages=USER,
        thinking={"type": "enabled", "budget_tokens": 1024},
    )
    assert [b.type for b in message.content] == ["thinking", "text"]
    assert message.content[0].signature


async def test_count_tokens_matches_input_tokens(claude: anthropic.AsyncAnthropic) -> None:
    counted = await claude.messages.count_tokens(
        model="claude-x",
        messages=USER,
        system="Be brief.",
    )
    message = await claude.messages.create(
        model="claude-x",
        max_tokens=5,
        messages=USER,
        system="Be brief.",
    )
    assert counted.input_tokens == message.usage.input_tokens == 10


async def test_missing_key_and_version(mock: MockServer, http: aiohttp.ClientSession) -> None:
    body = {"model": "claude-x", "max_tokens": 10, "messages": USER}
    async with http.post(f"{mock.url}/v1/messages", json=body) as resp:
        assert resp.status == 401 and resp.headers["x-should-retry"] == "false"
        error = await resp.json()
    assert error["type"] == "error" and error["error"]["type"] == "authentication_error"
    assert error["request_id"].startswith("req_")
    headers = {"x-api-key": "k"}
    async with http.post(f"{mock.url}/v1/messages", json=body, headers=headers) as resp:
        assert resp.status == 400
        assert "anthropic-version" in (await resp.json())["error"]["message"]


async def test_bearer_auth_is_accepted(mock: MockServer, http: aiohttp.ClientSession) -> None:
    body = {"model": "claude-x", "max_tokens": 10, "messages": USER}
    headers = {"authorization": "Bearer tok", "anthropic-version": "2023-06-01"}
    async with http.post(f"{mock.url}/v1/messages", json=body, headers=headers) as resp:
        assert resp.status == 200


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"model": "claude-x", "messages": USER}, "max_tokens"),
        (
            {
                "model": "claude-x",
                "max_tokens": 5,
                "messages": [{"role": "system", "content": "x"}, *USER],
            },
            "top-level `system`",
        ),
    ],
)
async def test_translation_mistakes_are_rejected(
    claude: anthropic.AsyncAnthropic, body: dict[str, object], fragment: str
) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        await claude.post("/v1/messages", body=body, cast_to=object)
    assert fragment in str(info.value)


async def test_models_list_in_anthropic_format(claude: anthropic.AsyncAnthropic) -> None:
    models = [m.id async for m in claude.models.list()]
    assert models and all(m.startswith("claude") for m in models)


async def test_thinking_then_tool_use(claude: anthropic.AsyncAnthropic) -> None:
    async with claude.messages.stream(
        model="claude-x",
        max_tokens=2000,
        messages=USER,
        tools=[TOOL],
        thinking={"type": "enabled", "budget_tokens": 1024},
    ) as stream:
        final = await stream.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "tool_use"]
    assert final.stop_reason == "tool_use"
