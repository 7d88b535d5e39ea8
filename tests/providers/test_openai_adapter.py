"""The OpenAI-protocol adapter as pure translation (no network)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import orjson
import pytest

import lockgate
from lockgate.providers import PROVIDERS, ChatCall, Credentials
from lockgate.providers.openai import OpenAIAdapter
from lockgate.security import Secret
from lockgate.transport import StreamEvent, UpstreamResponse

ADAPTER = OpenAIAdapter()


def call(provider: str = "openai", stream: bool = False, **params: Any) -> ChatCall:
    return ChatCall(
        provider=PROVIDERS[provider],
        model="some-model",
        messages=[{"role": "user", "content": "Hello!"}],
        params=MappingProxyType(params),
        stream=stream,
        credentials=Credentials(
            api_key=Secret("sk-test-123"),
            api_base=PROVIDERS[provider].default_api_base or "http://127.0.0.1:9/v1",
            organization="org-1",
        ),
    )


def test_request_url_headers_and_body() -> None:
    request = ADAPTER.build_chat_request(call(temperature=0.2, tools=[{"type": "function"}]))
    assert request.url == "https://api.openai.com/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-test-123"
    assert request.headers["OpenAI-Organization"] == "org-1"
    body = orjson.loads(request.body or b"")
    assert body == {
        "model": "some-model",
        "messages": [{"role": "user", "content": "Hello!"}],
        "temperature": 0.2,
        "tools": [{"type": "function"}],
    }


def test_stream_always_asks_for_usage() -> None:
    body = orjson.loads(ADAPTER.build_chat_request(call(stream=True)).body or b"")
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_mistral_quirks_renames_and_no_stream_options() -> None:
    request = ADAPTER.build_chat_request(
        call("mistral", stream=True, seed=42, tool_choice="required")
    )
    body = orjson.loads(request.body or b"")
    assert body["random_seed"] == 42 and "seed" not in body
    assert body["tool_choice"] == "any"
    assert "stream_options" not in body
    assert request.url == "https://api.mistral.ai/v1/chat/completions"


def test_extra_body_is_merged() -> None:
    body = orjson.loads(ADAPTER.build_chat_request(call(extra_body={"top_k": 5})).body or b"")
    assert body["top_k"] == 5 and "extra_body" not in body


def test_supported_params_follow_the_row() -> None:
    assert "seed" in ADAPTER.supported_params(call("openai"))
    assert "logit_bias" not in ADAPTER.supported_params(call("groq"))
    assert "store" not in ADAPTER.supported_params(call("deepseek"))


def test_parse_mistral_reasoning_content_parts() -> None:
    body = {
        "id": "0a6e",
        "object": "chat.completion",
        "created": 1,
        "model": "magistral-medium-latest",
        "usage": {"prompt_tokens": 10, "total_tokens": 73, "completion_tokens": 63},
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {
                    "role": "assistant",
                    "tool_calls": None,
                    "content": [
                        {"type": "thinking", "thinking": [{"type": "text", "text": "Okay, "}]},
                        {"type": "text", "text": "The answer is 4."},
                    ],
                },
            }
        ],
    }
    parsed = ADAPTER.parse_chat_response(
        call("mistral"), UpstreamResponse(200, {}, orjson.dumps(body))
    )
    assert parsed.choices[0].message.content == "The answer is 4."
    assert parsed.choices[0].message.reasoning_content == "Okay, "
    # Rewritten: the provider's bytes are no longer this response's wire form.
    assert orjson.loads(parsed.wire_bytes())["choices"][0]["message"]["content"] == (
        "The answer is 4."
    )


def test_parse_keeps_the_provider_bytes_and_types_on_read() -> None:
    raw = (
        b'{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-mini",'
        b'"choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},'
        b'"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,'
        b'"total_tokens":4,"prompt_tokens_details":{"cached_tokens":2}}}'
    )
    parsed = ADAPTER.parse_chat_response(call(), UpstreamResponse(200, {}, raw))
    assert parsed.wire_bytes() is raw
    assert parsed.usage is not None and parsed.usage.cached_tokens == 2
    assert parsed.choices[0].message.content == "Hi"
    assert parsed.choices[0].finish_reason == "stop"


@pytest.mark.parametrize(
    "raw",
    [b"[]", b"{}", b'{"choices": {}}', b"not json"],
)
def test_parse_refuses_a_body_without_choices(raw: bytes) -> None:
    with pytest.raises(lockgate.APIConnectionError):
        ADAPTER.parse_chat_response(call(), UpstreamResponse(200, {}, raw))


def test_stream_parser_done_and_mid_stream_error() -> None:
    parser = ADAPTER.stream_parser(call(stream=True))
    chunks = parser.feed(
        StreamEvent(
            None,
            b'{"id":"x","object":"chat.completion.chunk","created":1,"model":"m",'
            b'"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}',
        )
    )
    assert chunks[0].choices[0].delta.content == "Hi"
    assert not parser.done
    assert parser.feed(StreamEvent(None, b"[DONE]")) == []
    assert parser.done
    broken = ADAPTER.stream_parser(call(stream=True))
    with pytest.raises(lockgate.RateLimitError, match="slow"):
        broken.feed(StreamEvent(None, b'{"error":{"message":"slow","type":"rate_limit_exceeded"}}'))
    with pytest.raises(lockgate.APIConnectionError):
        broken.feed(StreamEvent(None, b"{not json"))


@pytest.mark.parametrize(
    ("status", "body", "headers", "cls", "message"),
    [
        (
            401,
            b'{"error":{"message":"Incorrect API key provided: <not-a-r****key>.",'
            b'"type":"invalid_request_error","param":null,"code":"invalid_api_key"}}',
            {},
            lockgate.AuthenticationError,
            "Incorrect API key",
        ),
        (
            400,
            b'{"error":{"message":"This model\'s maximum context length is 128000 tokens.",'
            b'"type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}',
            {},
            lockgate.ContextWindowExceededError,
            "maximum context length",
        ),
        (
            429,
            b'{"object":"error","message":"Service tier capacity exceeded for this model.",'
            b'"type":"service_tier_capacity_exceeded","param":null,"code":"3505"}',
            {"retry-after": "2"},
            lockgate.RateLimitError,
            "capacity exceeded",
        ),
        (
            401,
            b'{"message":"Unauthorized","request_id":"abc"}',
            {},
            lockgate.AuthenticationError,
            "Unauthorized",
        ),
        (
            422,
            b'{"detail":[{"loc":["body","x"],"msg":"extra fields not permitted","type":"x"}]}',
            {},
            lockgate.UnprocessableEntityError,
            "extra fields",
        ),
        (502, b"<html>bad gateway</html>", {}, lockgate.BadGatewayError, "HTTP 502"),
    ],
)
def test_error_mapping(
    status: int, body: bytes, headers: dict[str, str], cls: type[Exception], message: str
) -> None:
    error = ADAPTER.map_error(UpstreamResponse(status, headers, body))
    assert type(error) is cls
    assert message in error.message
    if "retry-after" in headers:
        assert error.retry_after == 2.0
