"""OpenAI embeddings, model listing and the Responses API."""

from __future__ import annotations

import base64
import json
import math
import struct

import aiohttp
import openai

from lockgate.mock import MockServer

AUTH = {"Authorization": "Bearer sk-test"}
TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
}


async def test_embeddings_sdk_default_base64(oai: openai.AsyncOpenAI) -> None:
    # The SDK asks for base64 and decodes it: this proves the float32 little-endian encoding.
    result = await oai.embeddings.create(model="text-embedding-3-small", input="hello world")
    vector = result.data[0].embedding
    assert len(vector) == 1536
    assert math.isclose(math.fsum(v * v for v in vector), 1.0, rel_tol=1e-4)
    assert result.usage.prompt_tokens == 3 and result.model == "text-embedding-3-small"


async def test_embeddings_float_batch_dimensions_deterministic(oai: openai.AsyncOpenAI) -> None:
    first = await oai.embeddings.create(
        model="text-embedding-3-large",
        input=["a", "b", "a"],
        dimensions=8,
        encoding_format="float",
    )
    vectors = [d.embedding for d in first.data]
    assert [d.index for d in first.data] == [0, 1, 2]
    assert all(len(v) == 8 for v in vectors)
    assert vectors[0] == vectors[2] != vectors[1]
    again = await oai.embeddings.create(
        model="text-embedding-3-large", input="a", dimensions=8, encoding_format="float"
    )
    assert again.data[0].embedding == vectors[0]


async def test_embeddings_base64_matches_floats(
    mock: MockServer, http: aiohttp.ClientSession
) -> None:
    url = f"{mock.url}/v1/embeddings"
    common = {"model": "text-embedding-3-small", "input": "x", "dimensions": 4}
    async with http.post(url, json={**common, "encoding_format": "base64"}, headers=AUTH) as r:
        encoded = (await r.json())["data"][0]["embedding"]
    async with http.post(url, json=common, headers=AUTH) as r:
        body = await r.json()
    assert list(body) == ["object", "data", "model", "usage"]
    decoded = struct.unpack("<4f", base64.b64decode(encoded))
    assert all(
        math.isclose(a, b, rel_tol=1e-6)
        for a, b in zip(decoded, body["data"][0]["embedding"], strict=True)
    )


async def test_models_list_and_retrieve(oai: openai.AsyncOpenAI) -> None:
    models = [m.id async for m in oai.models.list()]
    assert "gpt-4o-mini" in models
    model = await oai.models.retrieve("anything-goes")
    assert model.id == "anything-goes" and model.object == "model"


async def test_responses_text(oai: openai.AsyncOpenAI) -> None:
    response = await oai.responses.create(model="gpt-4.1", input="Tell me a story")
    assert response.id.startswith("resp_") and response.status == "completed"
    assert response.output_text == "This is a mock reply to: Tell me a story"
    assert response.usage is not None and response.usage.output_tokens == 10


async def test_responses_max_output_tokens_is_incomplete(oai: openai.AsyncOpenAI) -> None:
    response = await oai.responses.create(model="gpt-4.1", input="Tell me", max_output_tokens=2)
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.output_text == "This is"


async def test_responses_function_call(oai: openai.AsyncOpenAI) -> None:
    response = await oai.responses.create(
        model="gpt-4.1",
        input="Weather in Boston?",
        tools=[TOOL],
    )
    call = response.output[0]
    assert call.type == "function_call"
    assert call.id is not None and call.id.startswith("fc_") and call.call_id.startswith("call_")
    assert json.loads(call.arguments) == {"location": "mock"}
    follow_up = await oai.responses.create(
        model="gpt-4.1",
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}],
        tools=[TOOL],
    )
    assert follow_up.output[0].type == "message"


async def test_responses_stream_events(oai: openai.AsyncOpenAI) -> None:
    stream = await oai.responses.create(model="gpt-4.1", input="Hi there", stream=True)
    events = [event async for event in stream]
    types = [e.type for e in events]
    assert types[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert deltas == "This is a mock reply to: Hi there"
    final = events[-1]
    assert final.type == "response.completed" and final.response.output_text == deltas


async def test_responses_stream_function_call_and_framing(
    mock: MockServer, http: aiohttp.ClientSession
) -> None:
    body = {"model": "gpt-4.1", "input": "Weather?", "tools": [TOOL], "stream": True}
    async with http.post(f"{mock.url}/v1/responses", json=body, headers=AUTH) as resp:
        assert resp.headers["content-type"] == "text/event-stream; charset=utf-8"
        raw = await resp.read()
    assert b"[DONE]" not in raw and raw.endswith(b"}\n\n")
    events = raw.split(b"\n\n")[:-1]
    for event in events:
        name, data = event.split(b"\n")
        assert (
            json.loads(data.removeprefix(b"data: "))["type"]
            == name.removeprefix(b"event: ").decode()
        )
    names = [e.split(b"\n")[0].removeprefix(b"event: ") for e in events]
    assert b"response.function_call_arguments.delta" in names
    assert names[-3:] == [
        b"response.function_call_arguments.done",
        b"response.output_item.done",
        b"response.completed",
    ]
