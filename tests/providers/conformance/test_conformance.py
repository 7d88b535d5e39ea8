"""The same behaviour from every provider: the real Client against each provider's mock.

Each test runs for the cases (``cases.py``) that declare its capability.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from lockgate.client import Client
from lockgate.client.stream import CompletionStream
from lockgate.errors import (
    APIConnectionError,
    LockgateError,
    UnsupportedParamsError,
    error_for_status,
)
from lockgate.mock import MockServer
from lockgate.types import ChatCompletion, ChatCompletionChunk
from tests.providers.conformance.case import (
    BROKEN_STREAM,
    CHAT,
    DROP_PARAMS,
    EMBEDDINGS,
    ERRORS,
    JSON_MODE,
    MULTI_TURN,
    PARALLEL_TOOLS,
    REASONING,
    STREAM,
    STREAMED_TOOL_ARGS,
    SYSTEM,
    TOOLS,
    USAGE_COST,
    VISION,
    ProviderCase,
)
from tests.providers.conformance.cases import CASES

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
# A 1x1 transparent PNG.
PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def cases_with(*capabilities: str) -> list[Any]:
    """The cases that declare every one of ``capabilities``."""
    return [pytest.param(c, id=c.name) for c in CASES if all(map(c.has, capabilities))]


def error_params() -> list[Any]:
    return [
        pytest.param(c, kind, id=f"{c.name}-{kind}")
        for c in CASES
        if c.has(ERRORS)
        for kind in c.errors
    ]


@pytest.fixture
async def sdk() -> AsyncIterator[Client]:
    client = Client(env={})
    yield client
    await client.aclose()


async def complete(
    sdk: Client, mock: MockServer, case: ProviderCase, messages: list[dict[str, Any]], **kw: Any
) -> ChatCompletion:
    result = await sdk.acompletion(case.model, messages, **case.connect(mock), **kw)
    assert isinstance(result, ChatCompletion)
    return result


async def stream_chunks(
    sdk: Client, mock: MockServer, case: ProviderCase, messages: list[dict[str, Any]], **kw: Any
) -> tuple[list[ChatCompletionChunk], CompletionStream]:
    stream = await sdk.acompletion(case.model, messages, stream=True, **case.connect(mock), **kw)
    assert isinstance(stream, CompletionStream)
    async with stream:
        chunks = [chunk async for chunk in stream]
    return chunks, stream


def last_body(mock: MockServer) -> str:
    return orjson.dumps(mock.requests[-1]["body"]).decode()


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


@pytest.mark.parametrize("case", cases_with(CHAT))
async def test_chat(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    result = await complete(sdk, mock, case, [user("Hello conformance")])
    choice = result.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == "This is a mock reply to: Hello conformance"
    assert choice.finish_reason == "stop"
    assert result.id and result.model
    assert result._hidden_params["custom_llm_provider"] == case.model.split("/")[0]


@pytest.mark.parametrize("case", cases_with(SYSTEM))
async def test_system_prompt(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    result = await complete(
        sdk, mock, case, [{"role": "system", "content": "Answer like a pirate."}, user("Ahoy")]
    )
    assert result.choices[0].message.content == "This is a mock reply to: Ahoy"
    assert "Answer like a pirate." in last_body(mock)


@pytest.mark.parametrize("case", cases_with(MULTI_TURN))
async def test_multi_turn(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    messages = [
        user("first question"),
        {"role": "assistant", "content": "first answer"},
        user("second question"),
    ]
    result = await complete(sdk, mock, case, messages)
    assert result.choices[0].message.content == "This is a mock reply to: second question"
    body = last_body(mock)
    assert "first question" in body and "first answer" in body


@pytest.mark.parametrize("case", cases_with(STREAM))
async def test_stream(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    chunks, stream = await stream_chunks(
        sdk, mock, case, [user("stream me")], stream_options={"include_usage": True}
    )
    text = "".join(c.delta.content or "" for chunk in chunks for c in chunk.choices)
    assert text == "This is a mock reply to: stream me"
    finishes = [c.finish_reason for chunk in chunks for c in chunk.choices if c.finish_reason]
    assert finishes == ["stop"]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].usage is not None and chunks[-1].choices == []
    assert stream.usage is not None and stream.usage.completion_tokens > 0


@pytest.mark.parametrize("case", cases_with(STREAM))
async def test_stream_hides_usage_chunk_unless_asked(
    sdk: Client, mock: MockServer, case: ProviderCase
) -> None:
    chunks, stream = await stream_chunks(sdk, mock, case, [user("quiet")])
    assert all(chunk.usage is None for chunk in chunks)
    assert stream.usage is not None  # still known, for cost


@pytest.mark.parametrize("case", cases_with(TOOLS))
async def test_tool_call_and_result(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    result = await complete(sdk, mock, case, [user("weather in Oslo?")], tools=[WEATHER_TOOL])
    choice = result.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls or []
    assert call.function.name == "get_weather" and call.id
    assert isinstance(orjson.loads(call.function.arguments), dict)
    follow_up = [
        user("weather in Oslo?"),
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": "rainy, 7 degrees"},
    ]
    answer = await complete(sdk, mock, case, follow_up, tools=[WEATHER_TOOL])
    assert answer.choices[0].finish_reason == "stop"
    assert answer.choices[0].message.content
    assert "rainy, 7 degrees" in last_body(mock)


@pytest.mark.parametrize("case", cases_with(TOOLS))
async def test_tool_choice_none_gives_text(
    sdk: Client, mock: MockServer, case: ProviderCase
) -> None:
    result = await complete(
        sdk, mock, case, [user("no tools")], tools=[WEATHER_TOOL], tool_choice="none"
    )
    assert result.choices[0].message.tool_calls is None
    assert result.choices[0].message.content == "This is a mock reply to: no tools"


@pytest.mark.parametrize("case", cases_with(PARALLEL_TOOLS))
async def test_parallel_tool_results(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    calls = [
        {
            "id": f"call_{city}",
            "type": "function",
            "function": {"name": "get_weather", "arguments": orjson.dumps({"city": city}).decode()},
        }
        for city in ("Paris", "Oslo")
    ]
    messages = [
        user("weather in Paris and Oslo?"),
        {"role": "assistant", "content": None, "tool_calls": calls},
        {"role": "tool", "tool_call_id": "call_Paris", "content": "sunny in Paris"},
        {"role": "tool", "tool_call_id": "call_Oslo", "content": "snow in Oslo"},
    ]
    result = await complete(sdk, mock, case, messages, tools=[WEATHER_TOOL])
    assert result.choices[0].finish_reason == "stop"
    body = last_body(mock)
    assert "sunny in Paris" in body and "snow in Oslo" in body


@pytest.mark.parametrize("case", cases_with(TOOLS, STREAM))
async def test_streamed_tool_call(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    chunks, _ = await stream_chunks(sdk, mock, case, [user("weather?")], tools=[WEATHER_TOOL])
    fragments = [tc for chunk in chunks for c in chunk.choices for tc in c.delta.tool_calls or ()]
    assert fragments and fragments[0].id and fragments[0].function.name == "get_weather"
    assert {f.index for f in fragments} == {0}
    arguments = "".join(f.function.arguments for f in fragments)
    assert isinstance(orjson.loads(arguments), dict)
    finishes = [c.finish_reason for chunk in chunks for c in chunk.choices if c.finish_reason]
    assert finishes == ["tool_calls"]
    if case.has(STREAMED_TOOL_ARGS):
        assert sum(1 for f in fragments if f.function.arguments) > 1


@pytest.mark.parametrize("case", cases_with(VISION))
async def test_vision(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    content = [
        {"type": "text", "text": "What is in this image?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PIXEL}"}},
    ]
    result = await complete(sdk, mock, case, [{"role": "user", "content": content}])
    assert result.choices[0].message.content == "This is a mock reply to: What is in this image?"
    assert PIXEL in last_body(mock)


@pytest.mark.parametrize("case", cases_with(JSON_MODE))
async def test_json_mode(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["city", "population"],
    }
    result = await complete(
        sdk,
        mock,
        case,
        [user("Describe Oslo as JSON")],
        response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": schema}},
    )
    choice = result.choices[0]
    assert choice.finish_reason == "stop" and choice.message.tool_calls is None
    value = orjson.loads(choice.message.content or "")
    assert set(value) == {"city", "population"}


@pytest.mark.parametrize("case", cases_with(REASONING))
async def test_reasoning(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    result = await complete(sdk, mock, case, [user("think first")], reasoning_effort="low")
    message = result.choices[0].message
    assert message.reasoning_content
    assert message.content == "This is a mock reply to: think first"
    chunks, _ = await stream_chunks(sdk, mock, case, [user("think first")], reasoning_effort="low")
    reasoning = "".join(c.delta.reasoning_content or "" for ch in chunks for c in ch.choices)
    assert reasoning == message.reasoning_content


@pytest.mark.parametrize("case", cases_with(USAGE_COST))
async def test_usage_and_cost(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    result = await complete(
        sdk, mock, case, [user("count me")], extra_headers={"x-mock-usage": "1000,200"}
    )
    usage = result.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (1000, 200, 1200)
    assert result.response_cost is not None and result.response_cost > 0
    _, stream = await stream_chunks(
        sdk, mock, case, [user("count me")], extra_headers={"x-mock-usage": "1000,200"}
    )
    assert stream.usage is not None and stream.usage.prompt_tokens == 1000
    assert stream.response_cost == pytest.approx(result.response_cost)


@pytest.mark.parametrize(("case", "kind"), error_params())
async def test_error_classes(sdk: Client, mock: MockServer, case: ProviderCase, kind: str) -> None:
    headers = {"x-mock-error": kind, "x-mock-retry-after": "1"}
    expected = case.errors[kind]
    with pytest.raises(LockgateError) as info:
        await complete(sdk, mock, case, [user("fail please")], extra_headers=headers)
    error = info.value
    assert type(error) is expected, f"{kind}: {type(error).__name__}: {error}"
    assert isinstance(error, error_for_status(error.status_code))  # status and class agree
    assert error.provider == case.model.split("/")[0]
    if kind == "rate_limit":
        assert error.retry_after == 1.0 and error.retryable
    with pytest.raises(expected):
        await stream_chunks(sdk, mock, case, [user("fail please")], extra_headers=headers)


@pytest.mark.parametrize("case", cases_with(BROKEN_STREAM))
async def test_broken_stream(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    with pytest.raises(APIConnectionError):
        await stream_chunks(
            sdk,
            mock,
            case,
            [user("a long enough answer")],
            extra_headers={"x-mock-break-after": "2"},
        )
    with pytest.raises(case.stream_error):
        await stream_chunks(
            sdk,
            mock,
            case,
            [user("a long enough answer")],
            extra_headers={"x-mock-stream-error-after": "2"},
        )


@pytest.mark.parametrize("case", cases_with(DROP_PARAMS))
async def test_drop_params(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    assert case.unsupported_param is not None
    name, value = case.unsupported_param
    with pytest.raises(UnsupportedParamsError, match=name):
        await complete(sdk, mock, case, [user("x")], **{name: value})
    result = await complete(sdk, mock, case, [user("x")], drop_params=True, **{name: value})
    assert result.choices[0].message.content
    assert f'"{name}"' not in last_body(mock)


@pytest.mark.parametrize("case", cases_with(EMBEDDINGS))
async def test_embeddings(sdk: Client, mock: MockServer, case: ProviderCase) -> None:
    assert case.embedding_model is not None
    options = case.connect(mock)
    result = await sdk.aembedding(case.embedding_model, ["one", "two"], dimensions=8, **options)
    assert [e.index for e in result.data] == [0, 1]
    assert all(isinstance(e.embedding, list) and len(e.embedding) == 8 for e in result.data)
    assert result.data[0].embedding != result.data[1].embedding
    again = await sdk.aembedding(case.embedding_model, "one", dimensions=8, **options)
    assert again.data[0].embedding == result.data[0].embedding
    assert result.usage is not None and result.usage.prompt_tokens > 0
