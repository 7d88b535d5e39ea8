"""The official anthropic SDK reads what this package writes: non-stream bodies, every kind
of stream event (through its own stream accumulator), errors and mid-stream errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx2
import pytest
from ingress_harness import Upstream, chunk, gateway, sdk_client, usage_chunk

from lockgate.errors import (
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    BudgetExceededError,
    ContextWindowExceededError,
    InternalServerError,
    LockgateError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServiceUnavailableError,
    UnprocessableEntityError,
)
from lockgate.gateway.anthropic_ingress import (
    AnthropicStreamTranslator,
    OpenAIChatRequest,
    error_event,
)
from lockgate.types import ChatCompletion, ChatCompletionChunk, Usage

MODEL = "claude-via-lockgate"
USER: Any = [{"role": "user", "content": "What is 925 / 5? Use the calculator."}]
TOOLS: Any = [
    {
        "name": "divide",
        "description": "Divide a by b",
        "input_schema": {
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"],
        },
    }
]
SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"


def _completion(
    message: dict[str, Any], finish_reason: str, usage: dict[str, Any]
) -> ChatCompletion:
    return ChatCompletion.from_dict(
        {
            "id": "chatcmpl-abc",
            "model": "gpt-test",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", **message},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": usage,
        }
    )


def test_non_stream_text() -> None:
    seen: list[OpenAIChatRequest] = []
    answer = _completion(
        {"content": "185"},
        "stop",
        {
            "prompt_tokens": 30,
            "completion_tokens": 2,
            "total_tokens": 32,
            "prompt_tokens_details": {"cached_tokens": 20},
        },
    )
    with sdk_client(gateway(lambda call: answer, seen)) as client:
        message = client.messages.create(
            model=MODEL, max_tokens=50, system="Be terse.", messages=USER
        )
    assert seen[0].messages == [{"role": "system", "content": "Be terse."}, *USER]
    assert seen[0].params == {"max_tokens": 50}
    assert message.id == "msg_chatcmpl-abc" and message.model == MODEL
    assert [(b.type, getattr(b, "text", None)) for b in message.content] == [("text", "185")]
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    assert message.usage.input_tokens == 10
    assert message.usage.cache_read_input_tokens == 20
    assert message.usage.cache_creation_input_tokens == 0
    assert message.usage.output_tokens == 2


def test_non_stream_thinking_and_tool_use() -> None:
    answer = _completion(
        {
            "content": "Dividing.",
            "reasoning_content": "925 / 5 needs the tool.",
            "thinking_blocks": [
                {"type": "thinking", "thinking": "925 / 5 needs the tool.", "signature": SIGNATURE}
            ],
            "tool_calls": [
                {
                    "id": "call_9",
                    "type": "function",
                    "function": {"name": "divide", "arguments": '{"a":925,"b":5}'},
                }
            ],
        },
        "tool_calls",
        {"prompt_tokens": 300, "completion_tokens": 40, "total_tokens": 340},
    )
    seen: list[OpenAIChatRequest] = []
    with sdk_client(gateway(lambda call: answer, seen)) as client:
        message = client.messages.create(
            model=MODEL,
            max_tokens=2000,
            messages=USER,
            tools=TOOLS,
            thinking={"type": "enabled", "budget_tokens": 1024},
        )
    assert seen[0].params["reasoning_effort"] == "low"
    thinking, text, tool = message.content
    assert thinking.type == "thinking" and thinking.signature == SIGNATURE
    assert text.type == "text" and text.text == "Dividing."
    assert tool.type == "tool_use" and tool.id == "call_9" and tool.input == {"a": 925, "b": 5}
    assert message.stop_reason == "tool_use"


def _thinking_tool_stream(call: OpenAIChatRequest) -> list[ChatCompletionChunk]:
    assert call.stream and call.params["stream_options"] == {"include_usage": True}
    return [
        chunk(role="assistant", reasoning_content="925 / 5"),
        chunk(reasoning_content=" = 185, but check."),
        chunk(thinking_blocks=[{"type": "thinking", "thinking": "", "signature": SIGNATURE}]),
        chunk(content="Let me "),
        chunk(content="check."),
        chunk(
            tool_calls=[
                {
                    "index": 0,
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "divide", "arguments": ""},
                }
            ]
        ),
        chunk(tool_calls=[{"index": 0, "function": {"arguments": '{"a": 9'}}]),
        chunk(tool_calls=[{"index": 0, "function": {"arguments": '25, "b": 5}'}}]),
        chunk(
            tool_calls=[
                {
                    "index": 1,
                    "id": "call_2",
                    "type": "function",
                    "function": {"name": "divide", "arguments": '{"a": 1, "b": 2}'},
                }
            ]
        ),
        chunk("tool_calls"),
        usage_chunk(Usage(prompt_tokens=400, completion_tokens=80, total_tokens=480)),
    ]


def test_stream_through_the_sdk_accumulator() -> None:
    seen: list[OpenAIChatRequest] = []
    with sdk_client(gateway(_thinking_tool_stream, seen)) as client:
        with client.messages.stream(
            model=MODEL, max_tokens=4000, messages=USER, tools=TOOLS
        ) as stream:
            texts = list(stream.text_stream)
            final = stream.get_final_message()
    assert texts == ["Let me ", "check."]
    assert [b.type for b in final.content] == ["thinking", "text", "tool_use", "tool_use"]
    thinking, text, first, second = final.content
    assert thinking.type == "thinking"
    assert thinking.thinking == "925 / 5 = 185, but check." and thinking.signature == SIGNATURE
    assert text.type == "text" and text.text == "Let me check."
    assert first.type == "tool_use" and (first.id, first.name, first.input) == (
        "call_1",
        "divide",
        {"a": 925, "b": 5},
    )
    assert second.type == "tool_use" and second.input == {"a": 1, "b": 2}
    assert final.stop_reason == "tool_use"
    assert (final.usage.input_tokens, final.usage.output_tokens) == (400, 80)
    assert final.model == MODEL


def test_the_next_turn_round_trips_thinking_and_tool_results() -> None:
    seen: list[OpenAIChatRequest] = []

    def final_answer(call: OpenAIChatRequest) -> ChatCompletion:
        usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        return _completion({"content": "925 / 5 = 185."}, "stop", usage)

    answers: Iterator[Upstream] = iter([_thinking_tool_stream, final_answer])

    def upstream(call: OpenAIChatRequest) -> Any:
        return next(answers)(call)

    with sdk_client(gateway(upstream, seen)) as client:
        with client.messages.stream(
            model=MODEL, max_tokens=4000, messages=USER, tools=TOOLS
        ) as stream:
            first = stream.get_final_message()
        results = [
            {"type": "tool_result", "tool_use_id": block.id, "content": "185"}
            for block in first.content
            if block.type == "tool_use"
        ]
        history: Any = [
            *USER,
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": results},
        ]
        reply = client.messages.create(model=MODEL, max_tokens=4000, messages=history, tools=TOOLS)
    assert reply.content[0].type == "text"
    assistant, *tool_messages = seen[1].messages[1:]
    assert assistant["thinking_blocks"][0]["signature"] == SIGNATURE
    assert assistant["content"] == "Let me check."
    assert [json.loads(c["function"]["arguments"]) for c in assistant["tool_calls"]] == [
        {"a": 925, "b": 5},
        {"a": 1, "b": 2},
    ]
    assert tool_messages == [
        {"role": "tool", "tool_call_id": "call_1", "content": "185"},
        {"role": "tool", "tool_call_id": "call_2", "content": "185"},
    ]


@pytest.mark.parametrize(
    ("error", "sdk_error", "status", "error_type"),
    [
        (BadRequestError("bad"), anthropic.BadRequestError, 400, "invalid_request_error"),
        (
            ContextWindowExceededError("prompt is too long"),
            anthropic.BadRequestError,
            400,
            "invalid_request_error",
        ),
        (
            AuthenticationError("invalid x-api-key"),
            anthropic.AuthenticationError,
            401,
            "authentication_error",
        ),
        (PermissionDeniedError("no"), anthropic.PermissionDeniedError, 403, "permission_error"),
        (NotFoundError("no model"), anthropic.NotFoundError, 404, "not_found_error"),
        (APITimeoutError("slow"), anthropic.RequestTimeoutError, 408, "timeout_error"),
        (
            BadRequestError("too big", status_code=413),
            anthropic.ContentTooLargeError,
            413,
            "request_too_large",
        ),
        (
            UnprocessableEntityError("odd"),
            anthropic.UnprocessableEntityError,
            422,
            "invalid_request_error",
        ),
        (RateLimitError("slow down"), anthropic.RateLimitError, 429, "rate_limit_error"),
        (BudgetExceededError("budget"), anthropic.RateLimitError, 429, "rate_limit_error"),
        (InternalServerError("boom"), anthropic.InternalServerError, 500, "api_error"),
        (BadGatewayError("upstream"), anthropic.InternalServerError, 502, "api_error"),
        (ServiceUnavailableError("Overloaded"), anthropic.OverloadedError, 529, "overloaded_error"),
        (
            APITimeoutError("upstream slow", status_code=504),
            anthropic.GatewayTimeoutError,
            504,
            "timeout_error",
        ),
    ],
)
def test_errors_reach_the_sdk_as_its_own_exceptions(
    error: LockgateError, sdk_error: type[anthropic.APIStatusError], status: int, error_type: str
) -> None:
    def fail(call: OpenAIChatRequest) -> ChatCompletion:
        raise error

    with sdk_client(gateway(fail, [])) as client, pytest.raises(sdk_error) as caught:
        client.messages.create(model=MODEL, max_tokens=5, messages=USER)
    assert caught.value.status_code == status
    assert caught.value.body == {
        "type": "error",
        "error": {"type": error_type, "message": error.message},
        "request_id": "req_test",
    }
    assert caught.value.request_id is None or isinstance(caught.value.request_id, str)


def test_a_validation_error_names_the_field_in_the_sdk_exception() -> None:
    bad_tools: Any = [{"name": "divide"}]
    with sdk_client(gateway(lambda call: pytest.fail("not reached"), [])) as client:
        with pytest.raises(anthropic.BadRequestError) as caught:
            client.messages.create(model=MODEL, max_tokens=5, messages=USER, tools=bad_tools)
    assert caught.value.body["error"]["message"] == "tools.0.input_schema: field required"  # type: ignore[index]


def test_a_mid_stream_error_is_raised_by_the_sdk() -> None:
    translator = AnthropicStreamTranslator(MODEL)
    body = b"".join(translator.feed(chunk(content="partial ")))
    body += error_event(ServiceUnavailableError("Overloaded"))

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    received: list[str] = []
    with sdk_client(handler) as client, pytest.raises(anthropic.APIStatusError) as caught:
        with client.messages.stream(model=MODEL, max_tokens=5, messages=USER) as stream:
            received.extend(stream.text_stream)
    assert received == ["partial "]
    assert caught.value.body == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }


async def test_async_client_stream() -> None:
    seen: list[OpenAIChatRequest] = []
    handle = gateway(_thinking_tool_stream, seen)

    async def handler(request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        return handle(request)

    client = anthropic.AsyncAnthropic(
        api_key="k",
        base_url="http://gateway.test",
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)),
        max_retries=0,
    )
    async with client:
        async with client.messages.stream(
            model=MODEL, max_tokens=100, messages=USER, tools=TOOLS
        ) as stream:
            final = await stream.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "text", "tool_use", "tool_use"]
    assert final.stop_reason == "tool_use"
