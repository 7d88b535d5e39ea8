"""The SDK core against mock providers speaking OpenAI's wire format."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import lockgate
from lockgate.client import Client, CompletionStream
from lockgate.mock import MockServer
from lockgate.types import ChatCompletion

MESSAGES = [{"role": "user", "content": "Say hello"}]


def openai_args(mock: MockServer, **extra: Any) -> dict[str, Any]:
    return {"api_base": mock.openai_base_url, "api_key": "sk-test-key", **extra}


async def test_completion_non_stream(client: Client, mock: MockServer) -> None:
    response = await client.acompletion("openai/gpt-4o-mini", MESSAGES, **openai_args(mock))
    assert isinstance(response, ChatCompletion)
    assert response.choices[0].message.content.startswith("This is a mock reply")  # type: ignore[union-attr]
    assert response.choices[0].finish_reason == "stop"
    assert response.usage is not None and response.usage.total_tokens > 0
    # Cost from the packaged table, under LiteLLM's name and ours.
    assert response._hidden_params["response_cost"] == response.response_cost
    assert response.response_cost is not None and response.response_cost > 0
    seen = mock.requests[-1]
    assert seen["path"] == "/v1/chat/completions"
    assert seen["headers"]["authorization"] == "Bearer sk-test-key"
    assert seen["body"]["model"] == "gpt-4o-mini"


async def test_key_from_environment(mock: MockServer) -> None:
    client = Client(env={"OPENAI_API_KEY": "sk-from-env", "OPENAI_BASE_URL": mock.openai_base_url})
    try:
        await client.acompletion("gpt-4o-mini", MESSAGES)
    finally:
        await client.aclose()
    assert mock.requests[-1]["headers"]["authorization"] == "Bearer sk-from-env"


async def test_missing_key_is_authentication_error(client: Client) -> None:
    with pytest.raises(lockgate.AuthenticationError, match="GROQ_API_KEY"):
        await client.acompletion("groq/llama-3.1-8b-instant", MESSAGES)


async def test_stream_with_usage_requested(client: Client, mock: MockServer) -> None:
    stream = await client.acompletion(
        "openai/gpt-4o-mini",
        MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
        **openai_args(mock),
    )
    assert isinstance(stream, CompletionStream)
    chunks = [chunk async for chunk in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("This is a mock reply")
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert stream.usage is not None and stream.response_cost is not None
    assert mock.requests[-1]["body"]["stream_options"] == {"include_usage": True}


async def test_stream_hides_usage_chunk_when_not_requested(
    client: Client, mock: MockServer
) -> None:
    stream = await client.acompletion(
        "openai/gpt-4o-mini", MESSAGES, stream=True, **openai_args(mock)
    )
    assert isinstance(stream, CompletionStream)
    chunks = [chunk async for chunk in stream]
    assert all(c.choices for c in chunks)
    assert all(c.usage is None for c in chunks)
    # lockgate still asked for usage, so the cost is known.
    assert mock.requests[-1]["body"]["stream_options"] == {"include_usage": True}
    assert stream.usage is not None and stream.usage.completion_tokens > 0


async def test_stream_tool_call_deltas(client: Client, mock: MockServer) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ]
    stream = await client.acompletion(
        "openai/gpt-4o-mini", MESSAGES, stream=True, tools=tools, **openai_args(mock)
    )
    assert isinstance(stream, CompletionStream)
    arguments = ""
    names = []
    finish = None
    async for chunk in stream:
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or []:
                if call.function.name:
                    names.append(call.function.name)
                arguments += call.function.arguments or ""
            finish = choice.finish_reason or finish
    assert names == ["get_weather"]
    assert arguments.startswith("{") and arguments.endswith("}")
    assert finish == "tool_calls"


async def test_broken_stream_raises_api_connection_error(client: Client, mock: MockServer) -> None:
    stream = await client.acompletion(
        "openai/gpt-4o-mini",
        MESSAGES,
        stream=True,
        extra_headers={"x-mock-break-after": "2"},
        **openai_args(mock),
    )
    assert isinstance(stream, CompletionStream)
    with pytest.raises(lockgate.APIConnectionError):
        async for _ in stream:
            pass


async def test_mid_stream_error_event(client: Client, mock: MockServer) -> None:
    stream = await client.acompletion(
        "openai/gpt-4o-mini",
        MESSAGES,
        stream=True,
        extra_headers={"x-mock-stream-error-after": "2"},
        **openai_args(mock),
    )
    assert isinstance(stream, CompletionStream)
    with pytest.raises(lockgate.LockgateError):
        async for _ in stream:
            pass


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        ("400", lockgate.ContextWindowExceededError),
        ("401", lockgate.AuthenticationError),
        ("429", lockgate.RateLimitError),
        ("500", lockgate.InternalServerError),
        ("503", lockgate.ServiceUnavailableError),
    ],
)
async def test_provider_errors_map_to_the_tree(
    client: Client, mock: MockServer, status: str, cls: type[Exception]
) -> None:
    with pytest.raises(cls) as info:
        await client.acompletion(
            "openai/gpt-4o-mini",
            MESSAGES,
            extra_headers={"x-mock-status": status},
            **openai_args(mock),
        )
    error = info.value
    assert isinstance(error, lockgate.LockgateError)
    assert error.provider == "openai" and error.model == "gpt-4o-mini"
    assert "sk-test-key" not in str(error)


async def test_retries_honour_retry_after_then_succeed(client: Client, mock: MockServer) -> None:
    mock.script([{"status": 429, "retry_after_s": 0.05}, {"status": 503}])
    started = asyncio.get_running_loop().time()
    response = await client.acompletion(
        "openai/gpt-4o-mini", MESSAGES, num_retries=2, **openai_args(mock)
    )
    assert isinstance(response, ChatCompletion)
    assert len(mock.requests) == 3
    assert asyncio.get_running_loop().time() - started >= 0.05


async def test_no_retries_by_default(client: Client, mock: MockServer) -> None:
    mock.script([{"status": 503}])
    with pytest.raises(lockgate.ServiceUnavailableError):
        await client.acompletion("openai/gpt-4o-mini", MESSAGES, **openai_args(mock))
    assert len(mock.requests) == 1


async def test_stream_retried_before_first_byte(client: Client, mock: MockServer) -> None:
    mock.script([{"status": 500}])
    stream = await client.acompletion(
        "openai/gpt-4o-mini", MESSAGES, stream=True, num_retries=1, **openai_args(mock)
    )
    assert isinstance(stream, CompletionStream)
    assert [c async for c in stream]
    assert len(mock.requests) == 2


async def test_fallbacks_after_failure(client: Client, mock: MockServer) -> None:
    mock.script([{"model": "gpt-4o", "status": 500}])
    response = await client.acompletion(
        "openai/gpt-4o",
        MESSAGES,
        fallbacks=[{"model": "openai/gpt-4o-mini", **openai_args(mock)}],
        **openai_args(mock),
    )
    assert isinstance(response, ChatCompletion)
    assert [r["body"]["model"] for r in mock.requests] == ["gpt-4o", "gpt-4o-mini"]


async def test_no_fallback_for_a_bad_request(client: Client, mock: MockServer) -> None:
    with pytest.raises(lockgate.UnsupportedParamsError):
        await client.acompletion(
            "groq/llama-3.1-8b-instant",
            MESSAGES,
            logit_bias={"1": 2},
            fallbacks=["openai/gpt-4o-mini"],
            **openai_args(mock),
        )
    assert mock.requests == []


async def test_drop_params(client: Client, mock: MockServer) -> None:
    await client.acompletion(
        "groq/llama-3.1-8b-instant",
        MESSAGES,
        logit_bias={"1": 2},
        temperature=0.1,
        drop_params=True,
        **openai_args(mock),
    )
    body = mock.requests[-1]["body"]
    assert "logit_bias" not in body and body["temperature"] == 0.1


async def test_timeout_is_api_timeout_error(client: Client, mock: MockServer) -> None:
    with pytest.raises(lockgate.APITimeoutError):
        await client.acompletion(
            "openai/gpt-4o-mini",
            MESSAGES,
            timeout=0.2,
            extra_headers={"x-mock-latency-ms": "1000"},
            **openai_args(mock),
        )


async def test_mock_response_needs_no_network(client: Client) -> None:
    response = await client.acompletion("openai/gpt-4o-mini", MESSAGES, mock_response="canned")
    assert isinstance(response, ChatCompletion)
    assert response.choices[0].message.content == "canned"


async def test_embeddings_and_text_completion(client: Client, mock: MockServer) -> None:
    embedded = await client.aembedding(
        "openai/text-embedding-3-small", ["a", "b"], **openai_args(mock)
    )
    assert len(embedded.data) == 2 and len(embedded.data[0].embedding) > 0
    assert embedded.response_cost is not None
    completed = await client.atext_completion(
        "openai/gpt-3.5-turbo-instruct", "Once upon", max_tokens=5, **openai_args(mock)
    )
    assert completed.choices[0].text
    with pytest.raises(lockgate.BadRequestError, match="embeddings"):
        await client.aembedding("groq/some-model", "x", **openai_args(mock))


async def test_egress_refuses_metadata_api_base(client: Client) -> None:
    with pytest.raises(lockgate.EgressDeniedError):
        await client.acompletion(
            "openai/gpt-4o-mini",
            MESSAGES,
            api_base="http://169.254.169.254/v1",
            api_key="sk-x",
        )
