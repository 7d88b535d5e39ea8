"""The translation matrix through the real gateway, for Azure, Bedrock, Cohere and Ollama:
OpenAI-format and Anthropic-format requests (official SDKs), streamed and not, plus
embeddings and /v1/rerank, against the mock upstreams."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anthropic
import openai
import orjson
import pytest

from lockgate.config import parse_config
from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, RunningGateway, running_gateway

KEY = "upstream-secret-key-456"
# model_name -> (litellm_params lines besides api_key, upstream path prefix the mock sees)
DEPLOYMENTS: dict[str, tuple[list[str], str]] = {
    "azure-gpt": (
        ["model: azure/gpt-4o-mini", "api_version: 2024-10-21"],
        "/openai/deployments/gpt-4o-mini/chat/completions",
    ),
    "bedrock-claude": (
        [
            "model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "aws_region_name: us-east-1",
        ],
        "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse",
    ),
    "cohere-command": (["model: cohere/command-a-03-2025"], "/v2/chat"),
    "ollama-llama": (["model: ollama/llama3.2"], "/api/chat"),
}
EMBEDDERS = {
    "azure-embed": ["model: azure/text-embedding-3-small"],
    "bedrock-embed": ["model: bedrock/cohere.embed-english-v3", "aws_region_name: us-east-1"],
    "cohere-embed": ["model: cohere/embed-v4.0"],
    "ollama-embed": ["model: ollama/all-minilm"],
}
RERANKERS = {
    "cohere-rerank": ["model: cohere/rerank-v3.5"],
    "bedrock-rerank": ["model: bedrock/cohere.rerank-v3-5:0", "aws_region_name: us-east-1"],
}
MODELS = list(DEPLOYMENTS)
WEATHER = {
    "name": "get_weather",
    "description": "weather",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def _config(mock_url: str) -> str:
    lines = ["model_list:"]
    entries = [
        *((name, params) for name, (params, _) in DEPLOYMENTS.items()),
        *EMBEDDERS.items(),
        *RERANKERS.items(),
    ]
    for name, params in entries:
        lines += [f"  - model_name: {name}", "    litellm_params:"]
        lines += [f"      {line}" for line in params]
        lines += [f"      api_base: {mock_url}", f"      api_key: {KEY}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
async def gateway(mock: MockServer) -> AsyncIterator[RunningGateway]:
    config = parse_config(_config(mock.url), source="<native-matrix>", env={})
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


def _upstream(mock: MockServer, prefix: str) -> dict[str, Any]:
    request = mock.requests[-1]
    assert str(request["path"]).startswith(prefix), request["path"]
    headers = orjson.dumps(request["headers"]).decode()
    # The gateway's own key never goes upstream; the deployment's does.
    assert MASTER_KEY not in headers and KEY in headers
    return request


@pytest.mark.parametrize("name", MODELS)
async def test_openai_sdk_non_stream(oai: openai.AsyncOpenAI, mock: MockServer, name: str) -> None:
    result = await oai.chat.completions.create(
        model=name,
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hello native matrix"},
        ],
        max_tokens=50,
    )
    assert result.choices[0].message.content == "This is a mock reply to: Hello native matrix"
    assert result.choices[0].finish_reason == "stop"
    assert result.usage is not None and result.usage.completion_tokens > 0
    request = _upstream(mock, DEPLOYMENTS[name][1])
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
    _upstream(mock, DEPLOYMENTS[name][1].replace("/converse", "/converse-stream"))


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
    body = orjson.dumps(_upstream(mock, DEPLOYMENTS[name][1])["body"]).decode()
    assert "Be brief." in body and "100" in body


@pytest.mark.parametrize("name", MODELS)
async def test_anthropic_sdk_stream(claude: anthropic.AsyncAnthropic, name: str) -> None:
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


@pytest.mark.parametrize("name", MODELS)
async def test_anthropic_sdk_tool_use_round_trip(
    claude: anthropic.AsyncAnthropic, mock: MockServer, name: str
) -> None:
    message = await claude.messages.create(
        model=name,
        max_tokens=100,
        tools=[WEATHER],  # type: ignore[list-item]
        messages=[{"role": "user", "content": "weather in Oslo?"}],
    )
    tool_use = [block for block in message.content if block.type == "tool_use"]
    assert tool_use and tool_use[0].name == "get_weather"
    assert message.stop_reason == "tool_use"
    follow_up = await claude.messages.create(
        model=name,
        max_tokens=100,
        tools=[WEATHER],  # type: ignore[list-item]
        messages=[
            {"role": "user", "content": "weather in Oslo?"},
            {"role": "assistant", "content": [b.model_dump() for b in message.content]},  # type: ignore[misc]
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": tool_use[0].id, "content": "rainy"}
                ],
            },
        ],
    )
    assert follow_up.stop_reason == "end_turn"
    assert "rainy" in orjson.dumps(_upstream(mock, DEPLOYMENTS[name][1])["body"]).decode()


@pytest.mark.parametrize("name", list(EMBEDDERS))
async def test_embeddings(oai: openai.AsyncOpenAI, name: str) -> None:
    result = await oai.embeddings.create(model=name, input=["one", "two"])
    assert [e.index for e in result.data] == [0, 1]
    assert result.data[0].embedding != result.data[1].embedding
    assert result.usage.prompt_tokens > 0


@pytest.mark.parametrize("name", list(RERANKERS))
async def test_rerank(gateway: RunningGateway, mock: MockServer, name: str) -> None:
    body = {
        "model": name,
        "query": "What is the capital of France?",
        "documents": ["Berlin is in Germany.", "Paris is the capital of France."],
        "top_n": 1,
        "return_documents": True,
    }
    headers = {"Authorization": f"Bearer {MASTER_KEY}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(gateway.url + "/v1/rerank", json=body, headers=headers) as response,
    ):
        assert response.status == 200, await response.text()
        answer = await response.json()
    assert [r["index"] for r in answer["results"]] == [1]
    assert answer["results"][0]["document"] == {"text": "Paris is the capital of France."}
    assert answer["results"][0]["relevance_score"] > 0.5
    _upstream(mock, "/v2/rerank" if name.startswith("cohere") else "/model/cohere.rerank")


async def test_upstream_errors_keep_their_class(oai: openai.AsyncOpenAI, mock: MockServer) -> None:
    mock.script([{"error": "rate_limit", "retry_after_s": 0, "times": 5}])  # ThrottlingException
    with pytest.raises(openai.RateLimitError):
        await oai.chat.completions.create(
            model="bedrock-claude", messages=[{"role": "user", "content": "throttle me"}]
        )
