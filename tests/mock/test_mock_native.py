"""The Azure, Bedrock, Cohere and Ollama mocks on the wire: what a raw HTTP client sees."""

from __future__ import annotations

import aiohttp
import orjson
import pytest

from lockgate.client import Client
from lockgate.errors import ContentPolicyViolationError
from lockgate.mock import MockServer
from lockgate.transport.aws_eventstream import AwsEventStreamDecoder

CHAT = {"messages": [{"role": "user", "content": "hi"}]}


async def test_azure_needs_api_version_and_key(
    http: aiohttp.ClientSession, mock: MockServer
) -> None:
    url = mock.url + "/openai/deployments/gpt-4o/chat/completions"
    async with http.post(url, json=CHAT, headers={"api-key": "k"}) as response:
        assert response.status == 404
        assert (await response.json())["error"]["message"] == "Resource not found"
    async with http.post(url + "?api-version=2024-10-21", json=CHAT) as response:
        assert response.status == 401
    async with http.post(
        url + "?api-version=2024-10-21", json=CHAT, headers={"api-key": "k"}
    ) as response:
        body = await response.json()
        assert response.headers["x-ms-deployment-name"] == "gpt-4o"
    assert body["prompt_filter_results"][0]["prompt_index"] == 0
    assert "content_filter_results" in body["choices"][0]


async def test_azure_stream_starts_with_the_prompt_filter_chunk(
    http: aiohttp.ClientSession, mock: MockServer
) -> None:
    url = mock.url + "/openai/v1/chat/completions"
    body = {**CHAT, "model": "gpt-4o", "stream": True}
    async with http.post(url, json=body, headers={"Authorization": "Bearer entra"}) as response:
        raw = await response.read()
    events = [e for e in raw.split(b"\n\n") if e]
    first = orjson.loads(events[0].removeprefix(b"data: "))
    assert first["choices"] == [] and first["id"] == "" and "prompt_filter_results" in first
    second = orjson.loads(events[1].removeprefix(b"data: "))
    assert "delta" not in second["choices"][0]
    assert events[-1] == b"data: [DONE]"


async def test_azure_content_filter(client: Client, mock: MockServer) -> None:
    with pytest.raises(ContentPolicyViolationError, match="content management policy"):
        await client.acompletion(
            "azure/gpt-4o",
            [{"role": "user", "content": "please [mock-content-filter]"}],
            api_key="k",
            api_base=mock.url,
        )


async def test_bedrock_checks_like_bedrock(http: aiohttp.ClientSession, mock: MockServer) -> None:
    url = mock.url + "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    body = {
        "messages": [
            {"role": "user", "content": [{"text": "a"}]},
            {"role": "user", "content": [{"text": "b"}]},
        ]
    }
    async with http.post(url, json=body) as response:
        assert response.status == 403
        assert response.headers["x-amzn-ErrorType"].startswith("MissingAuthenticationToken")
    async with http.post(url, json=body, headers={"Authorization": "Bearer k"}) as response:
        assert response.status == 400
        assert response.headers["x-amzn-ErrorType"].startswith("ValidationException")
        assert "alternate" in (await response.json())["message"]


async def test_bedrock_stream_is_crc_checked_event_stream(
    http: aiohttp.ClientSession, mock: MockServer
) -> None:
    url = mock.url + "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream"
    body = {"messages": [{"role": "user", "content": [{"text": "hi there"}]}]}
    async with http.post(url, json=body, headers={"Authorization": "Bearer k"}) as response:
        assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
        raw = await response.read()
    decoder = AwsEventStreamDecoder()
    events = decoder.feed(raw) + decoder.close()
    names = [e.event for e in events]
    assert names[0] == "messageStart" and names[-2:] == ["messageStop", "metadata"]
    assert "contentBlockStart" not in names  # text blocks have none, as recorded
    assert all("p" in orjson.loads(e.data) for e in events)


async def test_cohere_stream_ends_with_done(http: aiohttp.ClientSession, mock: MockServer) -> None:
    body = {"model": "command-a-03-2025", "stream": True, **CHAT}
    async with http.post(
        mock.url + "/v2/chat", json=body, headers={"Authorization": "Bearer k"}
    ) as response:
        raw = await response.read()
    assert raw.startswith(b"event: message-start\ndata: ")
    assert raw.endswith(b"event: message-end\n" + raw.split(b"event: message-end\n")[1])
    assert raw.endswith(b"data: [DONE]\n\n")


async def test_ollama_streams_unless_told_not_to(
    http: aiohttp.ClientSession, mock: MockServer
) -> None:
    async with http.post(mock.url + "/api/chat", json={"model": "llama3.2", **CHAT}) as response:
        assert response.headers["content-type"] == "application/x-ndjson"
        lines = (await response.read()).splitlines()
    last = orjson.loads(lines[-1])
    assert last["done"] is True and last["done_reason"] == "stop"
    assert last["total_duration"] > 0 and last["eval_count"] == len(lines) - 1
    async with http.post(
        mock.url + "/api/chat", json={"model": "llama3.2", "stream": False, **CHAT}
    ) as response:
        assert (await response.json())["message"]["content"] == "This is a mock reply to: hi"
    bad_tool = {
        "model": "llama3.2",
        "stream": False,
        "messages": [
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}],
            }
        ],
    }
    async with http.post(mock.url + "/api/chat", json=bad_tool) as response:
        assert response.status == 400
        assert "cannot unmarshal string" in (await response.json())["error"]
