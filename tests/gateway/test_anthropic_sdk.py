"""/v1/messages driven by the official anthropic SDK, served from an OpenAI-protocol model."""

from __future__ import annotations

import aiohttp
import anthropic
import pytest

from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, RunningGateway


async def test_messages_non_stream(claude: anthropic.AsyncAnthropic, mock: MockServer) -> None:
    message = await claude.messages.create(
        model="gpt-4o-mini",
        max_tokens=100,
        system="Be brief.",
        messages=[{"role": "user", "content": "Hello Claude-shaped gateway"}],
    )
    assert message.type == "message" and message.role == "assistant"
    assert message.content[0].type == "text"
    assert message.content[0].text == "This is a mock reply to: Hello Claude-shaped gateway"
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens > 0
    upstream = mock.requests[-1]["body"]
    assert upstream["messages"][0] == {"role": "system", "content": "Be brief."}
    assert upstream["max_tokens"] == 100


async def test_messages_stream(claude: anthropic.AsyncAnthropic) -> None:
    async with claude.messages.stream(
        model="gpt-4o-mini",
        max_tokens=100,
        messages=[{"role": "user", "content": "stream please"}],
    ) as stream:
        text = "".join([piece async for piece in stream.text_stream])
        final = await stream.get_final_message()
    assert text == "This is a mock reply to: stream please"
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0


async def test_messages_tool_use(claude: anthropic.AsyncAnthropic) -> None:
    message = await claude.messages.create(
        model="gpt-4o-mini",
        max_tokens=100,
        tools=[
            {
                "name": "get_weather",
                "description": "weather",
                "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
            }
        ],
        messages=[{"role": "user", "content": "weather in Oslo?"}],
    )
    tool_use = [block for block in message.content if block.type == "tool_use"]
    assert tool_use and tool_use[0].name == "get_weather"
    assert isinstance(tool_use[0].input, dict)
    assert message.stop_reason == "tool_use"


async def test_count_tokens(claude: anthropic.AsyncAnthropic) -> None:
    counted = await claude.messages.count_tokens(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "count these words please"}]
    )
    assert counted.input_tokens > 0


async def test_errors_in_anthropic_shape(
    gateway: RunningGateway, claude: anthropic.AsyncAnthropic, mock: MockServer
) -> None:
    wrong = anthropic.AsyncAnthropic(base_url=gateway.url, api_key="sk-wrong", max_retries=0)
    try:
        with pytest.raises(anthropic.AuthenticationError) as info:
            await wrong.messages.create(
                model="gpt-4o-mini", max_tokens=10, messages=[{"role": "user", "content": "x"}]
            )
    finally:
        await wrong.close()
    body = info.value.body
    assert isinstance(body, dict) and body["type"] == "error"
    assert body["error"]["type"] == "authentication_error"
    mock.script([{"status": 429, "times": 5}])
    with pytest.raises(anthropic.RateLimitError):
        await claude.messages.create(
            model="gpt-4o-mini", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )
    mock.reset()
    # The SDK checks max_tokens itself, so send the raw request.
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            gateway.url + "/v1/messages",
            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]},
            headers={"x-api-key": MASTER_KEY, "anthropic-version": "2023-06-01"},
        ) as response,
    ):
        assert response.status == 400
        payload = await response.json()
    assert payload["type"] == "error"
    assert payload["error"]["type"] == "invalid_request_error"
    assert "max_tokens" in payload["error"]["message"]
