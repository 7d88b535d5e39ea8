"""Scripted errors, latency, pacing, broken streams and the script queue."""

from __future__ import annotations

import json
import time

import aiohttp
import anthropic
import openai
import pytest

from lockgate.mock import MockServer

USER = [{"role": "user", "content": "Hello there, how are you today?"}]
AUTH = {"Authorization": "Bearer sk-test"}
ANT = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
GEMINI = {"x-goog-api-key": "k"}


def _gemini_url(mock: MockServer, model: str = "gemini-2.5-flash", stream: bool = False) -> str:
    method = "streamGenerateContent?alt=sse" if stream else "generateContent"
    return f"{mock.url}/v1beta/models/{model}:{method}"


GEMINI_BODY = {"contents": [{"role": "user", "parts": [{"text": "Hello there"}]}]}


async def test_openai_rate_limit_with_retry_headers(oai: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.RateLimitError) as info:
        await oai.chat.completions.create(
            model="gpt-4o",
            messages=USER,
            extra_headers={"x-mock-status": "429", "x-mock-retry-after": "2"},
        )
    error = info.value
    assert error.response.headers["retry-after"] == "2"
    assert error.response.headers["retry-after-ms"] == "2000"
    assert error.code == "rate_limit_exceeded"
    assert "Please try again in 2s" in error.message


async def test_openai_context_length(oai: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        await oai.chat.completions.create(
            model="gpt-4o",
            messages=USER,
            extra_headers={"x-mock-status": "400"},
        )
    assert info.value.code == "context_length_exceeded"
    assert info.value.param == "messages"


@pytest.mark.parametrize(
    ("header", "error_type"),
    [
        ({"x-mock-status": "401"}, openai.AuthenticationError),
        ({"x-mock-status": "500"}, openai.InternalServerError),
        ({"x-mock-status": "503"}, openai.InternalServerError),
        ({"x-mock-error": "not_found"}, openai.NotFoundError),
        ({"x-mock-error": "quota"}, openai.RateLimitError),
    ],
)
async def test_openai_error_statuses(
    oai: openai.AsyncOpenAI, header: dict[str, str], error_type: type[Exception]
) -> None:
    with pytest.raises(error_type):
        await oai.chat.completions.create(
            model="gpt-4o",
            messages=USER,
            extra_headers=header,
        )


async def test_anthropic_overloaded_and_rate_limit(claude: anthropic.AsyncAnthropic) -> None:
    with pytest.raises(anthropic.OverloadedError) as overloaded:
        await claude.messages.create(
            model="claude-x",
            max_tokens=10,
            messages=USER,
            extra_headers={"x-mock-error": "overloaded"},
        )
    assert overloaded.value.status_code == 529
    assert overloaded.value.body["error"]["type"] == "overloaded_error"
    assert overloaded.value.response.headers["x-should-retry"] == "true"
    with pytest.raises(anthropic.RateLimitError) as limited:
        await claude.messages.create(
            model="claude-x",
            max_tokens=10,
            messages=USER,
            extra_headers={"x-mock-status": "429", "x-mock-retry-after": "7"},
        )
    assert limited.value.response.headers["retry-after"] == "7"
    with pytest.raises(anthropic.InternalServerError):
        await claude.messages.create(
            model="mock-error-500",
            max_tokens=10,
            messages=USER,
        )


async def test_gemini_resource_exhausted(mock: MockServer, http: aiohttp.ClientSession) -> None:
    headers = {**GEMINI, "x-mock-status": "429", "x-mock-retry-after": "20"}
    async with http.post(_gemini_url(mock), json=GEMINI_BODY, headers=headers) as resp:
        assert resp.status == 429 and "retry-after" not in resp.headers
        error = (await resp.json())["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED" and error["code"] == 429
    retry = [d for d in error["details"] if d["@type"].endswith("RetryInfo")]
    assert retry == [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "20s"}]


async def test_latency(oai: openai.AsyncOpenAI) -> None:
    started = time.perf_counter()
    await oai.chat.completions.create(
        model="mock-slow-150ms",
        messages=USER,
    )
    assert time.perf_counter() - started >= 0.15


async def test_tokens_per_second_paces_the_stream(oai: openai.AsyncOpenAI) -> None:
    started = time.perf_counter()
    stream = await oai.chat.completions.create(
        model="gpt-4o",
        messages=USER,
        stream=True,
        extra_headers={"x-mock-tokens-per-second": "100", "x-mock-reply-tokens": "20"},
    )
    arrivals = [time.perf_counter() async for chunk in stream if chunk.choices[0].delta.content]
    assert len(arrivals) == 20
    assert arrivals[-1] - started >= 0.19
    assert arrivals[-1] - arrivals[0] >= 0.15  # spread out, not one burst


async def test_break_after_drops_the_connection(oai: openai.AsyncOpenAI) -> None:
    stream = await oai.chat.completions.create(
        model="gpt-4o",
        messages=USER,
        stream=True,
        extra_headers={"x-mock-break-after": "3"},
    )
    received = []
    with pytest.raises(openai.APIError):
        async for chunk in stream:
            received.append(chunk)
    assert len(received) == 3


async def test_break_after_bytes(mock: MockServer, http: aiohttp.ClientSession) -> None:
    headers = {**ANT, "x-mock-break-after": "2"}
    body = {"model": "claude-x", "max_tokens": 50, "messages": USER, "stream": True}
    async with http.post(f"{mock.url}/v1/messages", json=body, headers=headers) as resp:
        received = b""
        with pytest.raises(aiohttp.ClientPayloadError):
            async for data in resp.content.iter_any():
                received += data
    assert received.count(b"\n\n") == 2 and b"message_start" in received


async def test_stream_error_after_openai(oai: openai.AsyncOpenAI) -> None:
    stream = await oai.chat.completions.create(
        model="gpt-4o",
        messages=USER,
        stream=True,
        extra_headers={"x-mock-stream-error-after": "2"},
    )
    with pytest.raises(openai.APIError) as info:
        async for _ in stream:
            pass
    assert "server had an error" in info.value.message


async def test_stream_error_after_anthropic(claude: anthropic.AsyncAnthropic) -> None:
    with pytest.raises(anthropic.APIStatusError) as info:
        async with claude.messages.stream(
            model="claude-x",
            max_tokens=50,
            messages=USER,
            extra_headers={"x-mock-stream-error-after": "3"},
        ) as stream:
            async for _ in stream:
                pass
    assert "overloaded_error" in str(info.value)


async def test_stream_error_after_responses(mock: MockServer, http: aiohttp.ClientSession) -> None:
    headers = {**AUTH, "x-mock-stream-error-after": "2", "x-mock-error": "quota"}
    body = {"model": "gpt-4.1", "input": "hi", "stream": True}
    async with http.post(f"{mock.url}/v1/responses", json=body, headers=headers) as resp:
        assert resp.status == 200
        raw = await resp.read()
    events = [e.split(b"\n") for e in raw.split(b"\n\n")[:-1]]
    assert [e[0] for e in events] == [
        b"event: response.created",
        b"event: response.in_progress",
        b"event: error",
        b"event: response.failed",
    ]
    error = json.loads(events[2][1][6:])
    assert error["sequence_number"] == 2 and error["error"]["code"] == "insufficient_quota"
    assert json.loads(events[3][1][6:])["sequence_number"] == 3


async def test_stream_error_after_gemini(mock: MockServer, http: aiohttp.ClientSession) -> None:
    headers = {**GEMINI, "x-mock-stream-error-after": "1", "x-mock-reply-tokens": "12"}
    async with http.post(_gemini_url(mock, stream=True), json=GEMINI_BODY, headers=headers) as r:
        raw = await r.read()
    events = raw.split(b"\r\n\r\n")[:-1]
    assert len(events) == 2
    assert json.loads(events[1][6:])["error"]["status"] == "UNAVAILABLE"


async def test_content_and_usage_headers(oai: openai.AsyncOpenAI) -> None:
    completion = await oai.chat.completions.create(
        model="gpt-4o",
        messages=USER,
        extra_headers={"x-mock-content": "Exactly this.", "x-mock-usage": "100,7"},
    )
    assert completion.choices[0].message.content == "Exactly this."
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (100, 7)


async def test_model_name_grammar(oai: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.RateLimitError) as info:
        await oai.chat.completions.create(
            model="mock-east-error-429-retry-3s",
            messages=USER,
        )
    assert info.value.response.headers["retry-after"] == "3"
    completion = await oai.chat.completions.create(
        model="mock-tokens-5",
        messages=USER,
    )
    assert completion.usage is not None and completion.usage.completion_tokens == 5


async def test_invalid_directive_is_a_400(oai: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="x-mock-status"):
        await oai.chat.completions.create(
            model="gpt-4o",
            messages=USER,
            extra_headers={"x-mock-status": "soon"},
        )
    with pytest.raises(openai.BadRequestError, match="slow-fast"):
        await oai.chat.completions.create(
            model="mock-slow-fast",
            messages=USER,
        )


async def test_queue_429_then_success_with_sdk_retry(mock: MockServer) -> None:
    mock.script([{"status": 429, "retry_after_s": 0.01}])
    async with openai.AsyncOpenAI(
        base_url=mock.openai_base_url, api_key="sk-test", max_retries=2
    ) as client:
        completion = await client.chat.completions.create(
            model="gpt-4o",
            messages=USER,
        )
    assert completion.choices[0].message.content
    assert len(mock.requests) == 2
    assert mock.requests[1]["headers"]["x-stainless-retry-count"] == "1"


async def test_queue_by_model_and_times_over_http(
    mock: MockServer, http: aiohttp.ClientSession, oai: openai.AsyncOpenAI
) -> None:
    script = {"gpt-b": [{"status": 503, "times": 2}], "gpt-a": [{"content": "from a"}]}
    async with http.post(f"{mock.url}/__mock/script", json=script) as resp:
        assert (await resp.json()) == {"queued": 3, "pending": {"gpt-b": 2, "gpt-a": 1}}
    answer = await oai.chat.completions.create(model="gpt-a", messages=USER)
    assert answer.choices[0].message.content == "from a"
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            await oai.chat.completions.create(model="gpt-b", messages=USER)
    assert (await oai.chat.completions.create(model="gpt-b", messages=USER)).choices


async def test_headers_override_only_the_fields_they_set(
    oai: openai.AsyncOpenAI, mock: MockServer
) -> None:
    mock.script([{"content": "queued", "usage": [1, 2]}, {"status": 500}])
    completion = await oai.chat.completions.create(
        model="gpt-4o",
        messages=USER,
        extra_headers={"x-mock-content": "header"},
    )
    assert completion.choices[0].message.content == "header"
    assert completion.usage is not None and completion.usage.completion_tokens == 2
    with pytest.raises(openai.InternalServerError):
        await oai.chat.completions.create(
            model="gpt-4o",
            messages=USER,
            extra_headers={"x-mock-content": "header"},
        )


async def test_bad_script_is_rejected(mock: MockServer, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{mock.url}/__mock/script", json=[{"stauts": 429}]) as resp:
        assert resp.status == 400 and "stauts" in (await resp.json())["error"]
    async with http.post(f"{mock.url}/__mock/script", json=[{"error": "nope"}]) as resp:
        assert resp.status == 400


async def test_recorded_requests_and_reset(
    mock: MockServer, http: aiohttp.ClientSession, oai: openai.AsyncOpenAI
) -> None:
    await oai.chat.completions.create(model="gpt-4o", messages=USER)
    async with http.get(f"{mock.url}/__mock/requests") as resp:
        recorded = await resp.json()
    assert recorded == mock.requests
    entry = recorded[0]
    assert entry["method"] == "POST" and entry["path"] == "/v1/chat/completions"
    assert entry["headers"]["authorization"] == "Bearer sk-test"
    assert entry["body"] == {"model": "gpt-4o", "messages": USER}
    mock.script([{"status": 429}])
    async with http.post(f"{mock.url}/__mock/reset") as resp:
        assert resp.status == 200
    assert mock.requests == []
    async with http.get(f"{mock.url}/__mock/script") as resp:
        assert (await resp.json()) == {"pending": {}}


async def test_break_on_a_non_stream_request_drops_the_connection(
    oai: openai.AsyncOpenAI,
) -> None:
    with pytest.raises(openai.APIConnectionError):
        await oai.chat.completions.create(
            model="mock-break-0",
            messages=USER,
        )


async def test_success_status_cannot_be_scripted(oai: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="400-599"):
        await oai.chat.completions.create(
            model="gpt-4o",
            messages=USER,
            extra_headers={"x-mock-status": "200"},
        )
