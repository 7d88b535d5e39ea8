"""Gemini responses, streams and errors to OpenAI shapes (recorded bodies)."""

from __future__ import annotations

import orjson
import pytest

from lockgate.errors import (
    AuthenticationError,
    BadRequestError,
    ContentPolicyViolationError,
    ContextWindowExceededError,
    NotFoundError,
    RateLimitError,
    ServiceUnavailableError,
)
from lockgate.providers.gemini.adapter import GeminiAdapter
from lockgate.transport import SSEDecoder, UpstreamResponse
from tests.providers.gemini import recordings
from tests.providers.helpers import chat_call, feed_stream, joined

ADAPTER = GeminiAdapter()
CALL = chat_call("gemini", "gemini-2.5-pro", [{"role": "user", "content": "x"}])
STREAM = chat_call("gemini", "gemini-2.5-flash", [{"role": "user", "content": "x"}], stream=True)


def parse(body: str | bytes):  # type: ignore[no-untyped-def]
    raw = body.encode() if isinstance(body, str) else body
    return ADAPTER.parse_chat_response(CALL, UpstreamResponse(200, {}, raw))


def sse(lines: str) -> bytes:
    return b"".join(b"data: " + line.encode() + b"\r\n\r\n" for line in lines.splitlines())


def test_recorded_function_call_response() -> None:
    completion = parse(recordings.TOOL_RESPONSE)
    assert completion.id == "5I7JaMf5Hcqg1MkP0pmWgQg" and completion.model == "gemini-2.5-pro"
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"  # Gemini says STOP for function calls
    (call,) = choice.message.tool_calls or []
    assert call.function.name == "search_docs"
    assert orjson.loads(call.function.arguments) == {"query": "recurring revenue"}
    # The thought signature rides in the id, to be echoed back on the next turn.
    assert (
        call.id
        and call.id.startswith("call_")
        and call.id.endswith(
            "__thought__"
            + "CrUEAdHtim9VvpwVEOMESEcAERsBaQyjqZbOZeuoE7BEROqL7bl5lc+15MhW43FTLlLB4bpmysR1Pky1IMCULrXpkD/bsBYn3fUNy6qeY5Wg1aML6Uv4XjoVXQn38PLuciIrGi8pI8svYDLwQrh902ITePq5Qcd7DfQPMntCi1+u7r+8hHXqCOw62W8sSEcf+nsWMG2IlrHBPLaUgPCf7goxyLnJZfiUP7b0UbABx3aqstLhxjDjO8/MFrPtvc/tZFZUoa/13pPnUYl1iqxirqMDQSg4lmYlZiZS9u8awyRRu6Z/RT5R9PEOuE6EBR3NgUVzX1bXPds03rVV8zvI8Lp8wCV7zdueeIWLP9iU+68UacIrFLr0xeuNQXfVmyByrwE+KOO6q8QapWkcusJRqL5uuvooKvqEjhge7DAA61VWYXrYuS+GtnLnPmi0EbwV0IcEwV0jFKn3AdMo0bdUGTtrL9S+tESCdapkQqp/O+yaL5/CL7El2quu9kaausGD1Iyvzm+3yfDFIjBhXLS/SmbxzO7pssj3w+KBq8pKMpaVhB3iZQYW1dMYcsNmvhpToxnO/xsdbXrusY6khhWuwY7yN7jIiCZJXn3DOyMhi32ADvvHzwjDz/KhLYugN8wbmsbocztsFnJ3gqoIVZNfLOggMlLcDGzDaOODqk0cx2Zo1yHQVQRrRQZR1B02HFVQ1v1gkbsM5uhs8iX+jK9m4j3CrHE99S0xevEYCLOFsxe81m/QqWyvtQ=="
        )
    )
    usage = completion.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (170, 148, 318)
    assert usage.reasoning_tokens == 132


def test_recorded_text_response() -> None:
    completion = parse(recordings.TEXT_RESPONSE)
    choice = completion.choices[0]
    assert choice.message.content == (
        "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y."
    )
    assert choice.finish_reason == "stop" and choice.message.tool_calls is None
    usage = completion.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (9, 272, 281)
    assert usage.reasoning_tokens == 244 and usage.cached_tokens == 0


def test_recorded_prompt_block_is_a_content_policy_error() -> None:
    with pytest.raises(ContentPolicyViolationError, match="PROHIBITED_CONTENT") as info:
        parse(recordings.PROMPT_BLOCKED)
    assert info.value.status_code == 400


def test_safety_stop_without_content_raises_and_with_content_filters() -> None:
    body = orjson.loads(recordings.TEXT_RESPONSE)
    body["candidates"][0]["finishReason"] = "SAFETY"
    assert parse(orjson.dumps(body)).choices[0].finish_reason == "content_filter"
    body["candidates"][0]["content"] = {"parts": [], "role": "model"}
    with pytest.raises(ContentPolicyViolationError):
        parse(orjson.dumps(body))


def test_cached_and_thought_tokens() -> None:
    body = orjson.loads(recordings.TEXT_RESPONSE)
    body["usageMetadata"]["cachedContentTokenCount"] = 4
    usage = parse(orjson.dumps(body)).usage
    assert usage is not None and usage.cached_tokens == 4


def test_recorded_raw_sse_bytes_with_thoughts() -> None:
    chunks = feed_stream(ADAPTER, STREAM, recordings.RAW_SSE.encode())
    assert joined(chunks, "reasoning_content").startswith("**Initiating the Descent**")
    assert joined(chunks, "content") == "We"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert chunks[0].choices[0].delta.role == "assistant"
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.reasoning_tokens) == (29, 59, 59)
    assert all(c.id == "EdDHavuSDILGjMcPvefFoQg" for c in chunks)


def test_recorded_reasoning_chunks_end_with_the_finish() -> None:
    chunks = feed_stream(ADAPTER, STREAM, sse(recordings.REASONING_CHUNKS))
    assert joined(chunks, "content") == (
        'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.'
    )
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    usage = chunks[-1].usage
    assert usage is not None and usage.completion_tokens == 29 + 256


def test_recorded_streamed_function_call() -> None:
    chunks = feed_stream(ADAPTER, STREAM, sse(recordings.TOOL_CALL_CHUNKS))
    calls = [tc for c in chunks for ch in c.choices for tc in ch.delta.tool_calls or ()]
    (call,) = calls
    assert call.index == 0 and call.function.name == "weather"
    assert orjson.loads(call.function.arguments) == {"location": "San Francisco"}
    assert call.id and "__thought__EqUCCqICAb4" in call.id
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"


def test_stream_is_incomplete_until_a_finish_reason() -> None:
    parser = ADAPTER.stream_parser(STREAM)
    first = recordings.REASONING_CHUNKS.splitlines()[0]
    for event in SSEDecoder().feed(sse(first)):
        parser.feed(event)
    assert not parser.done


def test_stream_error_event_and_blocked_prompt() -> None:
    parser = ADAPTER.stream_parser(STREAM)
    event = SSEDecoder().feed(
        b'data: {"error": {"code": 503,"message": "The model is overloaded. Please try again later.","status": "UNAVAILABLE"}}\r\n\r\n'
    )[0]
    with pytest.raises(ServiceUnavailableError):
        parser.feed(event)
    blocked = SSEDecoder().feed(sse(recordings.PROMPT_BLOCKED))[0]
    with pytest.raises(ContentPolicyViolationError):
        ADAPTER.stream_parser(STREAM).feed(blocked)


def test_recorded_errors() -> None:
    error = ADAPTER.map_error(UpstreamResponse(400, {}, recordings.BAD_KEY_ERROR.encode()))
    assert isinstance(error, AuthenticationError) and error.status_code == 401
    error = ADAPTER.map_error(UpstreamResponse(429, {}, recordings.QUOTA_ERROR.encode()))
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 20.0 and error.code == "RESOURCE_EXHAUSTED"
    cases = [
        (
            400,
            '{"error":{"code":400,"message":"The input token count exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}',
            ContextWindowExceededError,
        ),
        (
            400,
            '{"error": {"code": 400, "message": "Penalty is not enabled for models/gemini-2.5-flash", "status": "INVALID_ARGUMENT"}}',
            BadRequestError,
        ),
        (
            503,
            '{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}',
            ServiceUnavailableError,
        ),
        (
            404,
            '{"error":{"code":404,"message":"models/x is not found for API version v1beta","status":"NOT_FOUND"}}',
            NotFoundError,
        ),
    ]
    for status, body, cls in cases:
        error = ADAPTER.map_error(UpstreamResponse(status, {}, body.encode()))
        assert type(error) is cls, body
    # Without alt=sse an error arrives wrapped in a JSON array.
    wrapped = b"[" + recordings.QUOTA_ERROR.encode() + b"]"
    assert ADAPTER.map_error(UpstreamResponse(429, {}, wrapped)).retry_after == 20.0


def test_parallel_function_calls_get_distinct_ids() -> None:
    body = orjson.loads(recordings.TOOL_RESPONSE)
    part = body["candidates"][0]["content"]["parts"][0]
    body["candidates"][0]["content"]["parts"] = [
        part,
        {"functionCall": {"name": "multiply", "args": {"a": 2, "b": 3}}},
    ]
    calls = parse(orjson.dumps(body)).choices[0].message.tool_calls or []
    assert [c.function.name for c in calls] == ["search_docs", "multiply"]
    assert len({c.id for c in calls}) == 2 and "__thought__" not in (calls[1].id or "")
