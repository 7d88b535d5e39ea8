"""Gemini generateContent / streamGenerateContent / embeddings, checked on raw bytes."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from lockgate.mock import MockServer

KEY = {"x-goog-api-key": "AIza-test"}
CONTENTS = {"contents": [{"role": "user", "parts": [{"text": "What is the weather in Paris?"}]}]}
TOOLS = [
    {
        "functionDeclarations": [
            {
                "name": "get_weather",
                "description": "Weather for a city",
                "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}},
            }
        ]
    }
]


def _url(mock: MockServer, model: str, method: str, query: str = "") -> str:
    return f"{mock.url}/v1beta/models/{model}:{method}{query}"


async def _post(
    http: aiohttp.ClientSession, url: str, body: dict[str, Any], headers: dict[str, str] = KEY
) -> tuple[int, aiohttp.typedefs.LooseHeaders, bytes]:
    async with http.post(url, json=body, headers=headers) as resp:
        return resp.status, resp.headers, await resp.read()


async def test_generate_content(mock: MockServer, http: aiohttp.ClientSession) -> None:
    status, headers, raw = await _post(
        http, _url(mock, "gemini-2.5-flash", "generateContent"), CONTENTS
    )
    assert status == 200
    assert headers["content-type"] == "application/json; charset=UTF-8"
    assert raw.startswith(b'{\n  "candidates": [\n')
    body = json.loads(raw)
    assert list(body) == ["candidates", "usageMetadata", "modelVersion", "responseId"]
    candidate = body["candidates"][0]
    assert candidate["content"] == {
        "parts": [{"text": "This is a mock reply to: What is the weather in Paris?"}],
        "role": "model",
    }
    assert candidate["finishReason"] == "STOP"
    assert body["usageMetadata"]["promptTokenCount"] == 8
    assert body["usageMetadata"]["totalTokenCount"] == 20
    assert body["modelVersion"] == "gemini-2.5-flash"


async def test_stream_sse_framing(mock: MockServer, http: aiohttp.ClientSession) -> None:
    url = _url(mock, "gemini-2.5-flash", "streamGenerateContent", "?alt=sse")
    status, headers, raw = await _post(http, url, CONTENTS)
    assert status == 200 and headers["content-type"] == "text/event-stream"
    assert raw.endswith(b"}\r\n\r\n") and b"[DONE]" not in raw and b"event:" not in raw
    events = raw.split(b"\r\n\r\n")[:-1]
    assert len(events) > 1 and all(e.startswith(b"data: {") for e in events)
    # Google's spacing: a space after ':' and none after ','.
    assert b'{"candidates": [{"content": {"parts": [{"text": ' in events[0]
    chunks = [json.loads(e[6:]) for e in events]
    text = "".join(c["candidates"][0]["content"]["parts"][0]["text"] for c in chunks)
    assert text == "This is a mock reply to: What is the weather in Paris?"
    assert all("finishReason" not in c["candidates"][0] for c in chunks[:-1])
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
    assert len({c["responseId"] for c in chunks}) == 1
    counts = [c["usageMetadata"]["candidatesTokenCount"] for c in chunks]
    assert counts == sorted(counts) and counts[-1] == 12


async def test_stream_without_sse_is_a_json_array(
    mock: MockServer, http: aiohttp.ClientSession
) -> None:
    url = _url(mock, "gemini-2.5-flash", "streamGenerateContent", "?key=AIza")
    status, _, raw = await _post(http, url, CONTENTS, headers={})
    assert status == 200
    chunks = json.loads(raw)
    assert isinstance(chunks, list) and chunks[-1]["candidates"][0]["finishReason"] == "STOP"


async def test_function_call(mock: MockServer, http: aiohttp.ClientSession) -> None:
    body = {**CONTENTS, "tools": TOOLS}
    _, _, raw = await _post(http, _url(mock, "gemini-2.5-pro", "generateContent"), body)
    part = json.loads(raw)["candidates"][0]["content"]["parts"][0]
    assert part == {"functionCall": {"name": "get_weather", "args": {"city": "mock"}}}
    url = _url(mock, "gemini-2.5-pro", "streamGenerateContent", "?alt=sse")
    _, _, raw = await _post(http, url, body)
    chunks = [json.loads(e[6:]) for e in raw.split(b"\r\n\r\n")[:-1]]
    assert len(chunks) == 2
    assert "functionCall" in chunks[0]["candidates"][0]["content"]["parts"][0]
    assert chunks[1]["candidates"][0]["content"]["parts"] == [{"text": ""}]
    assert chunks[1]["candidates"][0]["finishReason"] == "STOP"


async def test_function_response_gets_text(mock: MockServer, http: aiohttp.ClientSession) -> None:
    contents = [
        *CONTENTS["contents"],
        {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {}}}]},
    ]
    body = {"contents": contents, "tools": TOOLS}
    _, _, raw = await _post(http, _url(mock, "gemini-2.5-pro", "generateContent"), body)
    assert "text" in json.loads(raw)["candidates"][0]["content"]["parts"][0]


async def test_json_response_schema(mock: MockServer, http: aiohttp.ClientSession) -> None:
    config = {
        "responseMimeType": "application/json",
        "responseSchema": {"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}},
    }
    body = {**CONTENTS, "generationConfig": config}
    _, _, raw = await _post(http, _url(mock, "gemini-2.5-pro", "generateContent"), body)
    text = json.loads(raw)["candidates"][0]["content"]["parts"][0]["text"]
    assert json.loads(text) == {"n": 1}


async def test_max_output_tokens(mock: MockServer, http: aiohttp.ClientSession) -> None:
    body = {**CONTENTS, "generationConfig": {"maxOutputTokens": 2}}
    _, _, raw = await _post(http, _url(mock, "gemini-2.5-pro", "generateContent"), body)
    candidate = json.loads(raw)["candidates"][0]
    assert candidate["finishReason"] == "MAX_TOKENS"
    assert candidate["content"]["parts"][0]["text"] == "This is"


async def test_missing_key_is_403(mock: MockServer, http: aiohttp.ClientSession) -> None:
    status, _, raw = await _post(http, _url(mock, "g", "generateContent"), CONTENTS, headers={})
    assert status == 403
    assert json.loads(raw)["error"]["status"] == "PERMISSION_DENIED"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"contents": []}, "contents is not specified"),
        ({"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}, "valid role"),
    ],
)
async def test_invalid_bodies(
    mock: MockServer, http: aiohttp.ClientSession, body: dict[str, Any], message: str
) -> None:
    status, _, raw = await _post(http, _url(mock, "g", "generateContent"), body)
    error = json.loads(raw)["error"]
    assert status == 400 and error["status"] == "INVALID_ARGUMENT" and message in error["message"]


async def test_embeddings(mock: MockServer, http: aiohttp.ClientSession) -> None:
    one = {"content": {"parts": [{"text": "hello"}]}, "outputDimensionality": 16}
    _, _, raw = await _post(http, _url(mock, "gemini-embedding-001", "embedContent"), one)
    values = json.loads(raw)["embedding"]["values"]
    assert len(values) == 16
    batch = {"requests": [{"model": "models/gemini-embedding-001", **one}] * 2}
    _, _, raw = await _post(http, _url(mock, "gemini-embedding-001", "batchEmbedContents"), batch)
    embeddings = json.loads(raw)["embeddings"]
    assert [e["values"] for e in embeddings] == [values, values]


async def test_count_tokens_and_models(mock: MockServer, http: aiohttp.ClientSession) -> None:
    _, _, raw = await _post(http, _url(mock, "gemini-2.5-flash", "countTokens"), CONTENTS)
    assert json.loads(raw)["totalTokens"] == 8
    async with http.get(f"{mock.url}/v1beta/models", headers=KEY) as resp:
        names = [m["name"] for m in (await resp.json())["models"]]
    assert "models/gemini-2.5-flash" in names


async def test_unknown_method_is_404(mock: MockServer, http: aiohttp.ClientSession) -> None:
    status, _, _ = await _post(http, _url(mock, "gemini-2.5-flash", "fly"), CONTENTS)
    assert status == 404


async def test_v1_path_and_explicit_401(mock: MockServer, http: aiohttp.ClientSession) -> None:
    url = f"{mock.url}/v1/models/gemini-2.5-flash:generateContent"
    status, _, _ = await _post(http, url, CONTENTS)
    assert status == 200
    headers = {**KEY, "x-mock-status": "401"}
    status, _, raw = await _post(http, url, CONTENTS, headers=headers)
    assert status == 401 and json.loads(raw)["error"]["status"] == "UNAUTHENTICATED"
