"""Anthropic responses, streams and errors to OpenAI shapes (recorded bodies)."""

from __future__ import annotations

import orjson
import pytest

from lockgate.errors import (
    AuthenticationError,
    BadRequestError,
    ContextWindowExceededError,
    RateLimitError,
    ServiceUnavailableError,
)
from lockgate.providers.anthropic.adapter import AnthropicAdapter
from lockgate.transport import UpstreamResponse
from tests.providers.anthropic import recordings
from tests.providers.helpers import chat_call, feed_stream, joined

ADAPTER = AnthropicAdapter()
CALL = chat_call("anthropic", "claude-sonnet-4-5-20250929", [{"role": "user", "content": "x"}])
STREAM_CALL = chat_call(
    "anthropic", "claude-sonnet-4-5-20250929", [{"role": "user", "content": "x"}], stream=True
)


def parse(body: str | bytes, call=CALL):  # type: ignore[no-untyped-def]
    raw = body.encode() if isinstance(body, str) else body
    return ADAPTER.parse_chat_response(call, UpstreamResponse(200, {}, raw))


def test_recorded_text_response() -> None:
    completion = parse(recordings.TEXT_RESPONSE)
    assert completion.id == "msg_01ErAMJd3TSPp7wTfEG9kSj5"
    assert completion.model == "claude-sonnet-4-5-20250929"
    choice = completion.choices[0]
    assert choice.message.content == "# Who vs. Whom\n\n**Simple rule:** \n- **"
    assert choice.message.tool_calls is None
    assert choice.finish_reason == "length"  # stop_reason max_tokens
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (22, 15)
    assert completion.usage.total_tokens == 37


def test_recorded_tool_use_response() -> None:
    completion = parse(recordings.TOOL_RESPONSE)
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert call.id == "toolu_01E1nTDhsEjAChantYkxdavm"
    assert call.function.name == "add"
    assert orjson.loads(call.function.arguments) == {"a": 1, "b": 2}
    assert completion.usage is not None and completion.usage.prompt_tokens == 599


def test_cache_reads_and_writes_are_inside_prompt_tokens() -> None:
    body = orjson.loads(recordings.TEXT_RESPONSE)
    # The recorded cache-hit usage (DD anthropic_completion_cache_read.yaml), plus writes.
    body["usage"] = {
        "input_tokens": 11,
        "cache_creation_input_tokens": 40,
        "cache_read_input_tokens": 2055,
        "output_tokens": 100,
        "service_tier": "standard",
    }
    usage = parse(orjson.dumps(body)).usage
    assert usage is not None
    assert usage.prompt_tokens == 11 + 2055 + 40
    assert usage.cached_tokens == 2055 and usage.cache_write_tokens == 40
    assert usage.total_tokens == 2106 + 100


def test_thinking_blocks_stop_sequence_and_refusal() -> None:
    body = orjson.loads(recordings.TEXT_RESPONSE)
    body["content"] = [
        {"type": "thinking", "thinking": "Let me think", "signature": "sig=="},
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "text", "text": "Answer"},
    ]
    body["stop_reason"], body["stop_sequence"] = "stop_sequence", "END"
    choice = parse(orjson.dumps(body)).choices[0]
    assert choice.message.reasoning_content == "Let me think"
    assert choice.message.extra["thinking_blocks"] == [
        {"type": "thinking", "thinking": "Let me think", "signature": "sig=="},
        {"type": "redacted_thinking", "data": "opaque"},
    ]
    assert choice.finish_reason == "stop" and choice.extra["stop_sequence"] == "END"
    body["stop_reason"] = "refusal"
    assert parse(orjson.dumps(body)).choices[0].finish_reason == "content_filter"


def test_json_mode_tool_answer_becomes_text() -> None:
    call = chat_call(
        "anthropic",
        "claude-sonnet-4-5",
        [{"role": "user", "content": "x"}],
        response_format={"type": "json_object"},
    )
    body = orjson.loads(recordings.TOOL_RESPONSE)
    body["content"][0]["name"] = "json_tool_call"
    choice = parse(orjson.dumps(body), call).choices[0]
    assert choice.message.content == '{"a":1,"b":2}'
    assert choice.message.tool_calls is None and choice.finish_reason == "stop"


def test_recorded_text_stream() -> None:
    chunks = feed_stream(ADAPTER, STREAM_CALL, recordings.TEXT_STREAM.encode())
    assert chunks[0].choices[0].delta.role == "assistant"
    assert joined(chunks, "content") == "Hello there!"
    finish = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finish == ["stop"]
    assert all(c.id == "msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK" for c in chunks)
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens) == (11, 6)


@pytest.mark.parametrize(
    ("raw", "arguments", "text_start"),
    [
        (recordings.PADDED_TOOL_STREAM, {"location": "San Francisco, CA"}, "<thinking>\nThe get"),
        (recordings.TOOL_STREAM, {"location": "Paris"}, "I'll check"),
    ],
)
def test_recorded_tool_streams(raw: str, arguments: dict[str, str], text_start: str) -> None:
    chunks = feed_stream(ADAPTER, STREAM_CALL, raw.encode())
    assert joined(chunks, "content").startswith(text_start)
    calls = [tc for c in chunks for ch in c.choices for tc in ch.delta.tool_calls or ()]
    assert (
        calls[0].id and calls[0].id.startswith("toolu_") and calls[0].function.name == "get_weather"
    )
    assert {tc.index for tc in calls} == {0}  # counts tool calls, not Anthropic blocks
    assert orjson.loads("".join(tc.function.arguments for tc in calls)) == arguments
    finish = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finish == ["tool_calls"]


def test_recorded_thinking_stream_keeps_the_signature() -> None:
    raw = b"".join(
        b"event: " + orjson.loads(line)["type"].encode() + b"\ndata: " + line.encode() + b"\n\n"
        for line in recordings.THINKING_CHUNKS.splitlines()
    )
    chunks = feed_stream(ADAPTER, STREAM_CALL, raw)
    assert joined(chunks, "reasoning_content") == (
        "The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185"
    )
    assert joined(chunks, "content") == "925 ÷ 5 = 185"
    signatures = [
        block["signature"]
        for c in chunks
        for ch in c.choices
        for block in ch.delta.extra.get("thinking_blocks", ())
    ]
    assert len(signatures) == 1 and signatures[0].startswith("EvQBCkYICxgCKkAxhD4N")
    usage = chunks[-1].usage
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (69, 53)


def test_refusal_in_stream_is_content_filter() -> None:
    raw = (
        recordings.TEXT_STREAM.split("event: message_delta")[0]
        + "event: message_delta\n"
        + 'data: {"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null,"stop_details":{"type":"refusal","category":"cyber","explanation":"This request was refused due to policy."}},"usage":{"output_tokens":0}}\n\n'
        + 'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    )
    chunks = feed_stream(ADAPTER, STREAM_CALL, raw.encode())
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "content_filter"


def test_mid_stream_overloaded_error_raises_service_unavailable() -> None:
    parser = ADAPTER.stream_parser(STREAM_CALL)
    from lockgate.transport import SSEDecoder

    (event,) = SSEDecoder().feed(recordings.STREAM_ERROR.encode())
    with pytest.raises(ServiceUnavailableError) as info:
        parser.feed(event)
    assert info.value.status_code == 503 and info.value.retryable
    assert not parser.done


@pytest.mark.parametrize(
    ("status", "body", "headers", "cls", "reported"),
    [
        (
            401,
            '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_011CVa2kcigwBtMFroktdQ2q"}',
            {"x-should-retry": "false"},
            AuthenticationError,
            401,
        ),
        (
            400,
            '{"type":"error","error":{"type":"invalid_request_error","message":"messages.0: Input does not match the expected shape."}}',
            {},
            BadRequestError,
            400,
        ),
        (
            529,
            '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CZquRQNtQiXTvkLNPnid4"}',
            {},
            ServiceUnavailableError,
            503,
        ),
        (
            429,
            '{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed the rate limit for your organization"}}',
            {"retry-after": "7"},
            RateLimitError,
            429,
        ),
        (
            400,
            '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 213717 tokens > 200000 maximum"},"request_id":"req_1"}',
            {},
            ContextWindowExceededError,
            400,
        ),
        (
            400,
            '{"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 190000 + 20000 > 200000"}}',
            {},
            ContextWindowExceededError,
            400,
        ),
    ],
)
def test_recorded_errors(
    status: int, body: str, headers: dict[str, str], cls: type[Exception], reported: int
) -> None:
    error = ADAPTER.map_error(UpstreamResponse(status, headers, body.encode()))
    assert type(error) is cls
    assert error.status_code == reported
    assert error.message == orjson.loads(body)["error"]["message"]
    if status == 429:
        assert error.retry_after == 7.0 and error.retryable
    if status == 401:
        assert not error.retryable
        assert error.body == {
            "type": "authentication_error",
            "request_id": "req_011CVa2kcigwBtMFroktdQ2q",
        }


def test_parallel_tool_use_blocks_get_their_own_indices() -> None:
    events = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "model": "m",
                "usage": {"input_tokens": 5, "output_tokens": 1},
            },
        },
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "toolu_a", "name": "w", "input": {}},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": '{"city":"Paris"}'},
        },
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "toolu_b", "name": "w", "input": {}},
        },
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "input_json_delta", "partial_json": '{"city":"Oslo"}'},
        },
        {"type": "content_block_stop", "index": 1},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": None},
            "usage": {"output_tokens": 30},
        },
        {"type": "message_stop"},
    ]
    raw = b"".join(
        b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in events
    )
    chunks = feed_stream(ADAPTER, STREAM_CALL, raw)
    calls = [tc for c in chunks for ch in c.choices for tc in ch.delta.tool_calls or ()]
    assert [(tc.index, tc.id) for tc in calls if tc.id] == [(0, "toolu_a"), (1, "toolu_b")]
    by_index = {0: "", 1: ""}
    for tc in calls:
        by_index[tc.index or 0] += tc.function.arguments
    assert by_index == {0: '{"city":"Paris"}', 1: '{"city":"Oslo"}'}
