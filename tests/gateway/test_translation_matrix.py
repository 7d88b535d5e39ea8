"""The translation matrix through the real gateway: OpenAI-format and Anthropic-format
requests (official SDKs) to deployments on native-protocol providers (mock upstreams)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anthropic
import openai
import orjson
import pytest

from lockgate.config import parse_config
from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, RunningGateway, running_gateway

# model_name -> (litellm model, api_base suffix, upstream path the mock must see)
DEPLOYMENTS = {
    "claude-direct": (
        "anthropic/claude-sonnet-4-5",
        "",
        "/v1/messages",
    ),
    "gemini-studio": (
        "gemini/gemini-2.5-flash",
        "",
        "/v1beta/models/gemini-2.5-flash:",
    ),
    "gemini-vertex": (
        "vertex_ai/gemini-2.5-flash",
        "/v1/projects/matrix/locations/us-central1",
        "/v1/projects/matrix/locations/us-central1/publishers/google/models/gemini-2.5-flash:",
    ),
    "claude-vertex": (
        "vertex_ai/claude-sonnet-4-5@20250929",
        "/v1/projects/matrix/locations/us-east5",
        "/v1/projects/matrix/locations/us-east5/publishers/anthropic/models/",
    ),
}
MODELS = list(DEPLOYMENTS)


def _config(mock_url: str) -> str:
    lines = ["model_list:"]
    for name, (model, suffix, _) in DEPLOYMENTS.items():
        lines += [
            f"  - model_name: {name}",
            "    litellm_params:",
            f"      model: {model}",
            f"      api_base: {mock_url}{suffix}",
            "      api_key: upstream-secret-key-123",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
async def gateway(mock: MockServer) -> AsyncIterator[RunningGateway]:
    config = parse_config(_config(mock.url), source="<matrix>", env={})
    async with running_gateway(config) as running:
        yield running


@pytest.fixture
async def oai(gateway: RunningGateway) -> AsyncIterator[openai.AsyncOpenAI]:
    client = openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0)
    yield client
    await client.close()


@pytest.fixture
async def claude(gateway: RunningGateway) -> AsyncIterator[anthropic.AsyncAnthropic]:
    client = anthropic.AsyncAnthropic(base_url=gateway.url, api_key=MASTER_KEY, max_retries=0)
    yield client
    await client.close()


def _upstream(mock: MockServer, name: str) -> dict[str, object]:
    request = mock.requests[-1]
    assert str(request["path"]).startswith(DEPLOYMENTS[name][2]), request["path"]
    # The gateway's own key never goes upstream; the deployment's does.
    headers = request["headers"]
    assert isinstance(headers, dict)
    assert MASTER_KEY not in orjson.dumps(headers).decode()
    assert "upstream-secret-key-123" in orjson.dumps(headers).decode()
    return request


@pytest.mark.parametrize("name", MODELS)
async def test_openai_sdk_non_stream(oai: openai.AsyncOpenAI, mock: MockServer, name: str) -> None:
    result = await oai.chat.completions.create(
        model=name,
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hello matrix"},
        ],
        max_tokens=50,
    )
    assert result.choices[0].message.content == "This is a mock reply to: Hello matrix"
    assert result.choices[0].finish_reason == "stop"
    assert result.usage is not None and result.usage.completion_tokens > 0
    request = _upstream(mock, name)
    assert "Be brief." in orjson.dumps(request["body"]).decode()


@pytest.mark.parametrize("name", MODELS)
async def test_openai_sdk_stream_with_tools(
    oai: openai.AsyncOpenAI, mock: MockServer, name: str
) -> None:
    stream = await oai.chat.completions.create(
        model=name,
        messages=[{"role": "user", "content": "weather in Oslo?"}],
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                },
            }
        ],
        stream=True,
        stream_options={"include_usage": True},
    )
    names, arguments, finishes, usage = [], [], [], None
    async for chunk in stream:
        usage = chunk.usage or usage
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or ():
                if call.function and call.function.name:
                    names.append(call.function.name)
                arguments.append((call.function.arguments if call.function else "") or "")
            if choice.finish_reason:
                finishes.append(choice.finish_reason)
    assert names == ["get_weather"]
    assert isinstance(orjson.loads("".join(arguments)), dict)
    assert finishes == ["tool_calls"]
    assert usage is not None and usage.prompt_tokens > 0
    _upstream(mock, name)


@pytest.mark.parametrize("name", MODELS)
async def test_anthropic_sdk_non_stream(
    claude: anthropic.AsyncAnthropic, mock: MockServer, name: str
) -> None:
    message = await claude.messages.create(
        model=name,
        max_tokens=100,
        system="Be brief.",
        messages=[{"role": "user", "content": "Hello from the Anthropic SDK"}],
    )
    assert message.content[0].type == "text"
    assert message.content[0].text == "This is a mock reply to: Hello from the Anthropic SDK"
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    request = _upstream(mock, name)
    body = request["body"]
    assert isinstance(body, dict)
    if name.startswith("claude"):
        assert body["system"] == "Be brief." and body["max_tokens"] == 100
    else:
        assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
        assert body["generationConfig"]["maxOutputTokens"] == 100


@pytest.mark.parametrize("name", MODELS)
async def test_anthropic_sdk_stream(
    claude: anthropic.AsyncAnthropic, mock: MockServer, name: str
) -> None:
    async with claude.messages.stream(
        model=name,
        max_tokens=100,
        messages=[{"role": "user", "content": "stream through the matrix"}],
    ) as stream:
        text = "".join([piece async for piece in stream.text_stream])
        final = await stream.get_final_message()
    assert text == "This is a mock reply to: stream through the matrix"
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0
    _upstream(mock, name)


@pytest.mark.parametrize("name", MODELS)
async def test_anthropic_sdk_tool_use(
    claude: anthropic.AsyncAnthropic, mock: MockServer, name: str
) -> None:
    message = await claude.messages.create(
        model=name,
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
    assert message.stop_reason == "tool_use"
    follow_up = await claude.messages.create(
        model=name,
        max_tokens=100,
        tools=[
            {
                "name": "get_weather",
                "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
            }
        ],
        messages=[
            {"role": "user", "content": "weather in Oslo?"},
            {"role": "assistant", "content": [b.model_dump() for b in message.content]},
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": tool_use[0].id, "content": "rainy"}
                ],
            },
        ],
    )
    assert follow_up.stop_reason == "end_turn"
    assert "rainy" in orjson.dumps(_upstream(mock, name)["body"]).decode()
