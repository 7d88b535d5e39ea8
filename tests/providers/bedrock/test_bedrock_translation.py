"""Bedrock Converse translation against the recordings of wire-formats §5 (no network)."""

from __future__ import annotations

import sys
from typing import Any

import orjson
import pytest

from lockgate.client.credentials import resolve_credentials
from lockgate.errors import (
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    ContextWindowExceededError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServiceUnavailableError,
)
from lockgate.providers import PROVIDERS
from lockgate.providers.bedrock.adapter import BedrockAdapter
from lockgate.security import Secret
from lockgate.transport.aws_eventstream import encode_message
from tests.providers.bedrock.recordings import FRAMES
from tests.providers.native_calls import (
    body_of,
    chat,
    credentials,
    feed,
    finish_of,
    response,
    text_of,
    tool_calls_of,
    usage_of,
)

ADAPTER = BedrockAdapter()
MODEL = "anthropic.claude-3-sonnet-20240229-v1:0"
FETCH_CONCEPT = {
    "type": "function",
    "function": {
        "name": "fetch_concept",
        "description": "Fetch an expert explanation for a concept, especially relevant for "
        "technical concepts like distributed tracing",
        "parameters": {
            "type": "object",
            "properties": {"concept": {"type": "string", "description": "The concept to explain"}},
            "required": ["concept"],
        },
    },
}
# §5.2, VERBATIM.
RECORDED_REQUEST = {
    "system": [{"text": "You are an expert swe that is to use the tool fetch_concept"}],
    "messages": [
        {
            "role": "user",
            "content": [{"text": "Explain the concept of distributed tracing in a simple way"}],
        }
    ],
    "inferenceConfig": {"temperature": 0.7, "topP": 0.9, "maxTokens": 1000, "stopSequences": []},
    "toolConfig": {
        "tools": [
            {
                "toolSpec": {
                    "name": "fetch_concept",
                    "description": "Fetch an expert explanation for a concept, especially "
                    "relevant for technical concepts like distributed tracing",
                    "inputSchema": {
                        "json": {
                            "type": "object",
                            "properties": {
                                "concept": {
                                    "type": "string",
                                    "description": "The concept to explain",
                                }
                            },
                            "required": ["concept"],
                        }
                    },
                }
            }
        ]
    },
}
RECORDED_RESPONSE = b'{"metrics":{"latencyMs":1300},"output":{"message":{"content":[{"text":"Okay, let me use the tool to fetch an expert explanation for the concept of distributed tracing."},{"toolUse":{"input":{"concept":"distributed tracing"},"name":"fetch_concept","toolUseId":"tooluse_iPA5tRLlQ5qSvfeYGeQVPg"}}],"role":"assistant"}},"stopReason":"tool_use","usage":{"inputTokens":269,"outputTokens":77,"totalTokens":346}}'
REASONING_RESPONSE: dict[str, Any] = {
    "metrics": {"latencyMs": 2202},
    "output": {
        "message": {
            "content": [
                {
                    "reasoningContent": {
                        "reasoningText": {
                            "signature": "EvYBCkgICxABGAIqQA9E9VC377Unbjdf",
                            "text": "Let me count the r's in \"strawberry\":\n\ns-t-r-a-w-b-e-r-r-y\n\nThere are 3 r's.",
                        }
                    }
                },
                {"text": 'There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y'},
            ],
            "role": "assistant",
        }
    },
    "stopReason": "end_turn",
    "usage": {
        "cacheReadInputTokenCount": 0,
        "cacheReadInputTokens": 0,
        "cacheWriteInputTokenCount": 0,
        "cacheWriteInputTokens": 0,
        "inputTokens": 51,
        "outputTokens": 78,
        "serverToolUsage": {},
        "totalTokens": 129,
    },
}


def recorded_stream() -> bytes:
    headers = {":content-type": "application/json", ":message-type": "event"}
    return b"".join(
        encode_message({":event-type": event, **headers}, payload)
        for _, _, event, payload in FRAMES
    )


def test_recorded_request_and_url() -> None:
    creds = resolve_credentials(
        PROVIDERS["bedrock"], {"AWS_REGION": "us-east-1"}, api_key="bedrock-api-key"
    )
    call = chat(
        "bedrock",
        MODEL,
        [
            {
                "role": "system",
                "content": "You are an expert swe that is to use the tool fetch_concept",
            },
            {
                "role": "user",
                "content": "Explain the concept of distributed tracing in a simple way",
            },
        ],
        creds=creds,
        temperature=0.7,
        top_p=0.9,
        max_tokens=1000,
        stop=[],
        tools=[FETCH_CONCEPT],
    )
    request = ADAPTER.build_chat_request(call)
    # The real recorded URI (§5.1): the model id percent-encoded in the path.
    assert request.url == (
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
        "anthropic.claude-3-sonnet-20240229-v1%3A0/converse"
    )
    assert request.headers["Authorization"] == "Bearer bedrock-api-key"
    assert body_of(request) == RECORDED_REQUEST


def test_stream_url_and_inference_profile_ids() -> None:
    call = chat("bedrock", "converse/us.anthropic.claude-3-5-haiku-20241022-v1:0", stream=True)
    request = ADAPTER.build_chat_request(call)
    assert request.url == (
        "http://upstream.test/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream"
    )
    assert request.headers["Accept"] == "application/vnd.amazon.eventstream"
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3"
    assert (
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.meta.llama3/converse"
        in (ADAPTER.build_chat_request(chat("bedrock", arn)).url)
    )


def test_recorded_response() -> None:
    completion = ADAPTER.parse_chat_response(
        chat("bedrock", MODEL), response(RECORDED_RESPONSE, **{"x-amzn-RequestId": "abc-123"})
    )
    message = completion.choices[0].message
    assert message.content == (
        "Okay, let me use the tool to fetch an expert explanation for the concept of "
        "distributed tracing."
    )
    assert message.tool_calls is not None
    call = message.tool_calls[0]
    assert (call.id, call.function.name) == ("tooluse_iPA5tRLlQ5qSvfeYGeQVPg", "fetch_concept")
    assert orjson.loads(call.function.arguments) == {"concept": "distributed tracing"}
    assert completion.choices[0].finish_reason == "tool_calls"
    assert completion.id == "chatcmpl-abc-123"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (269, 77)
    assert completion.usage.total_tokens == 346
    assert completion.extra["metrics"] == {"latencyMs": 1300}


def test_reasoning_response_keeps_signature() -> None:
    completion = ADAPTER.parse_chat_response(chat("bedrock", MODEL), response(REASONING_RESPONSE))
    message = completion.choices[0].message
    assert message.reasoning_content is not None and "s-t-r-a-w" in message.reasoning_content
    assert message.content is not None and message.content.startswith("There are **3**")
    assert message.extra["thinking_blocks"][0]["signature"] == "EvYBCkgICxABGAIqQA9E9VC377Unbjdf"
    assert completion.usage is not None and completion.usage.prompt_tokens == 51
    # Sent back on the next turn, the thinking block is a reasoningContent block again.
    follow_up = [
        {"role": "user", "content": "How many r's?"},
        {"role": "assistant", "content": message.content, **message.extra},
        {"role": "user", "content": "Sure?"},
    ]
    blocks = body_of(ADAPTER.build_chat_request(chat("bedrock", MODEL, follow_up)))["messages"][1]
    assert blocks["content"][0]["reasoningContent"]["reasoningText"]["signature"] == (
        "EvYBCkgICxABGAIqQA9E9VC377Unbjdf"
    )


def test_usage_includes_cache_reads_and_writes() -> None:
    raw = dict(REASONING_RESPONSE)
    raw["usage"] = {
        "inputTokens": 100,
        "outputTokens": 10,
        "cacheReadInputTokens": 50,
        "cacheWriteInputTokens": 20,
        "totalTokens": 180,
    }
    usage = ADAPTER.parse_chat_response(chat("bedrock", MODEL), response(raw)).usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (170, 10, 180)
    assert (usage.cached_tokens, usage.cache_write_tokens) == (50, 20)


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("guardrail_intervened", "content_filter"),
        ("content_filtered", "content_filter"),
        ("model_context_window_exceeded", "length"),
    ],
)
def test_stop_reasons(stop_reason: str, finish: str) -> None:
    raw = {**REASONING_RESPONSE, "stopReason": stop_reason}
    completion = ADAPTER.parse_chat_response(chat("bedrock", MODEL), response(raw))
    assert completion.choices[0].finish_reason == finish


def test_recorded_stream() -> None:
    chunks = feed(ADAPTER, chat("bedrock", MODEL, stream=True), recorded_stream())
    assert chunks[0].choices[0].delta.role == "assistant"
    assert text_of(chunks) == (
        "Okay, let me use the tool to fetch an expert explanation for the concept of "
        "distributed tracing."
    )
    assert tool_calls_of(chunks) == {
        0: {
            "id": "tooluse_HA9wsJ32RhOvn8XgIUDpGA",
            "name": "fetch_concept",
            "arguments": '{"concept": "distributed tracing"}',
        }
    }
    assert finish_of(chunks) == "tool_calls"
    usage = usage_of(chunks)
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (259, 64, 323)
    assert len({c.id for c in chunks}) == 1


def test_stream_without_metadata_is_incomplete() -> None:
    raw = recorded_stream()
    last = FRAMES[-1][0]
    feed(ADAPTER, chat("bedrock", MODEL, stream=True), raw[:-last], complete=False)


def test_reasoning_stream_deltas() -> None:
    headers = {":content-type": "application/json", ":message-type": "event"}

    def frame(event: str, payload: dict[str, Any]) -> bytes:
        return encode_message({":event-type": event, **headers}, orjson.dumps(payload))

    raw = (
        frame("messageStart", {"role": "assistant"})
        + frame(
            "contentBlockDelta",
            {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "Let me count the r"}}},
        )
        + frame(
            "contentBlockDelta",
            {"contentBlockIndex": 0, "delta": {"reasoningContent": {"signature": "Ep0CCkgI"}}},
        )
        + frame("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"text": "3"}})
        + frame(
            "messageStop",
            {
                "stopReason": "end_turn",
                "additionalModelResponseFields": {"delta": {"stop_sequence": None}},
            },
        )
        + frame("metadata", {"usage": {"inputTokens": 5, "outputTokens": 6, "totalTokens": 11}})
        + frame("someFutureEvent", {"p": "abc"})
    )
    chunks = feed(ADAPTER, chat("bedrock", MODEL, stream=True), raw)
    assert text_of(chunks, "reasoning_content") == "Let me count the r"
    assert text_of(chunks) == "3"
    assert finish_of(chunks) == "stop"


@pytest.mark.parametrize(
    ("exception", "error_class"),
    [
        ("throttlingException", RateLimitError),
        ("validationException", BadRequestError),
        ("modelStreamErrorException", BadGatewayError),
        ("internalServerException", InternalServerError),
        ("serviceUnavailableException", ServiceUnavailableError),
    ],
)
def test_in_stream_exception_frames(exception: str, error_class: type[Exception]) -> None:
    raw = recorded_stream()[: FRAMES[0][0]] + encode_message(
        {
            ":exception-type": exception,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        b'{"message":"Too many requests, please wait before trying again."}',
    )
    with pytest.raises(error_class):
        feed(ADAPTER, chat("bedrock", MODEL, stream=True), raw)


@pytest.mark.parametrize(
    ("status", "error_type", "message", "error_class", "reported"),
    [
        # §5.4 VERBATIM: an expired token is a 403 from AWS.
        (
            403,
            "ExpiredTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/",
            "The security token included in the request is expired",
            AuthenticationError,
            401,
        ),
        (
            429,
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
            "Too many requests, please wait before trying again.",
            RateLimitError,
            429,
        ),
        (
            400,
            "ValidationException",
            "Input is too long for requested model.",
            ContextWindowExceededError,
            400,
        ),
        (
            400,
            "ValidationException",
            "The model returned the following errors: input length and `max_tokens` exceed context limit",
            ContextWindowExceededError,
            400,
        ),
        (
            400,
            "ValidationException",
            "A conversation must start with a user message.",
            BadRequestError,
            400,
        ),
        (
            403,
            "AccessDeniedException",
            "You don't have access to the model",
            PermissionDeniedError,
            403,
        ),
        (
            404,
            "ResourceNotFoundException",
            "The provided model identifier is invalid.",
            NotFoundError,
            404,
        ),
        (408, "ModelTimeoutException", "Model has timed out", APITimeoutError, 408),
        (424, "ModelErrorException", "The model failed", BadGatewayError, 502),
        (
            503,
            "ServiceUnavailableException",
            "Bedrock is unable to process your request.",
            ServiceUnavailableError,
            503,
        ),
    ],
)
def test_errors_by_type(
    status: int, error_type: str, message: str, error_class: type[Exception], reported: int
) -> None:
    error = ADAPTER.map_error(
        response({"message": message}, status, **{"x-amzn-ErrorType": error_type})
    )
    assert type(error) is error_class
    assert error.status_code == reported
    assert error.message == message


def test_error_type_from_the_body_and_retry_after() -> None:
    error = ADAPTER.map_error(
        response(
            {"__type": "com.amazon.bedrock#ThrottlingException", "Message": "slow down"},
            429,
            **{"retry-after": "3"},
        )
    )
    assert isinstance(error, RateLimitError)
    assert (error.message, error.retry_after) == ("slow down", 3.0)


def test_messages_tools_images_and_json_mode() -> None:
    image = "data:image/jpeg;base64,/9j/4AAQ"
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": image}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "t1",
                    "type": "function",
                    "function": {"name": "look", "arguments": '{"q": 1}'},
                },
                {"id": "t2", "type": "function", "function": {"name": "look", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "a cat"},
        {"role": "tool", "tool_call_id": "t2", "content": [{"type": "text", "text": "a dog"}]},
    ]
    body = body_of(ADAPTER.build_chat_request(chat("bedrock", MODEL, messages)))
    assert body["messages"][0]["content"][1] == {
        "image": {"format": "jpeg", "source": {"bytes": "/9j/4AAQ"}}
    }
    assert [b["toolUse"]["input"] for b in body["messages"][1]["content"]] == [{"q": 1}, {}]
    # Both tool results go back in one user message; the tools used must be declared.
    assert body["messages"][2] == {
        "role": "user",
        "content": [
            {"toolResult": {"toolUseId": "t1", "content": [{"text": "a cat"}]}},
            {"toolResult": {"toolUseId": "t2", "content": [{"text": "a dog"}]}},
        ],
    }
    assert body["toolConfig"]["tools"][0]["toolSpec"]["name"] == "look"
    with pytest.raises(BadRequestError, match="base64"):
        ADAPTER.build_chat_request(
            chat(
                "bedrock",
                MODEL,
                [
                    {
                        "role": "user",
                        "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}],
                    }
                ],
            )
        )

    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    json_call = chat(
        "bedrock",
        MODEL,
        response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
    )
    json_body = body_of(ADAPTER.build_chat_request(json_call))
    assert json_body["toolConfig"]["toolChoice"] == {"tool": {"name": "json_tool_call"}}
    assert json_body["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"] == {"json": schema}
    answer = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {
                        "toolUse": {
                            "toolUseId": "x",
                            "name": "json_tool_call",
                            "input": {"city": "Paris"},
                        }
                    }
                ],
            }
        },
        "stopReason": "tool_use",
        "usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3},
    }
    completion = ADAPTER.parse_chat_response(json_call, response(answer))
    assert orjson.loads(completion.choices[0].message.content or "") == {"city": "Paris"}
    assert completion.choices[0].message.tool_calls is None
    assert completion.choices[0].finish_reason == "stop"


def test_tool_choice_and_extra_fields() -> None:
    def body(**params: Any) -> dict[str, Any]:
        return body_of(ADAPTER.build_chat_request(chat("bedrock", MODEL, **params)))

    assert body(tools=[FETCH_CONCEPT], tool_choice="required")["toolConfig"]["toolChoice"] == {
        "any": {}
    }
    named = {"type": "function", "function": {"name": "fetch_concept"}}
    assert body(tools=[FETCH_CONCEPT], tool_choice=named)["toolConfig"]["toolChoice"] == {
        "tool": {"name": "fetch_concept"}
    }
    assert "toolConfig" not in body(tools=[FETCH_CONCEPT], tool_choice="none")
    extra = body(top_k=5, guardrailConfig={"guardrailIdentifier": "g"}, reasoning_effort="low")
    assert extra["additionalModelRequestFields"] == {
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "top_k": 5,
    }
    assert extra["guardrailConfig"] == {"guardrailIdentifier": "g"}


def test_unsupported_params_are_declared() -> None:
    quirks = PROVIDERS["bedrock"].quirks
    assert {"n", "logprobs", "presence_penalty", "seed", "user"} <= quirks.unsupported_params
    assert "temperature" not in quirks.unsupported_params


def test_region_resolution() -> None:
    spec = PROVIDERS["bedrock"]
    creds = resolve_credentials(spec, {"AWS_DEFAULT_REGION": "eu-west-3"}, api_key="k")
    assert creds.api_base == "https://bedrock-runtime.eu-west-3.amazonaws.com"
    creds = resolve_credentials(
        spec, {"AWS_REGION": "eu-west-3"}, api_key="k", cloud={"aws_region_name": "ap-south-1"}
    )
    assert (creds.region, creds.api_base) == (
        "ap-south-1",
        "https://bedrock-runtime.ap-south-1.amazonaws.com",
    )
    with pytest.raises(BadRequestError, match="region"):
        resolve_credentials(spec, {}, api_key="k")
    with pytest.raises(BadRequestError, match="invalid AWS region"):
        resolve_credentials(spec, {}, api_key="k", cloud={"aws_region_name": "evil.com/x"})
    assert resolve_credentials(
        spec, {"AWS_BEARER_TOKEN_BEDROCK": "bk", "AWS_REGION": "us-east-1"}
    ).api_key


def test_default_hosts_are_exact_regional_hosts() -> None:
    hosts = PROVIDERS["bedrock"].default_hosts
    assert "bedrock-runtime.us-east-1.amazonaws.com" in hosts
    assert not any(h.startswith("*") for h in hosts)


def _hide_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if lockgate[bedrock] were not installed: every botocore import fails, even of a
    module an earlier test already loaded."""
    for name in list(sys.modules):
        if name == "botocore" or name.startswith("botocore."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "botocore", None)


def test_sigv4_without_botocore_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide_botocore(monkeypatch)
    keys = credentials(
        api_key=None,
        region="us-east-1",
        aws_access_key_id=Secret("AKIDEXAMPLE"),
        aws_secret_access_key=Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    )
    for creds in (keys, credentials(api_key=None, region="us-east-1")):  # given, or the chain
        with pytest.raises(AuthenticationError, match=r"pip install 'lockgate\[bedrock\]'") as err:
            ADAPTER.build_chat_request(chat("bedrock", MODEL, creds=creds))
        assert err.value.provider == "bedrock" and not err.value.retryable
        assert "AWS_BEARER_TOKEN_BEDROCK" in str(err.value)  # the way that needs no extra
    # A Bedrock API key needs no botocore.
    request = ADAPTER.build_chat_request(
        chat("bedrock", MODEL, creds=credentials(api_key="bedrock-api-key", region="us-east-1"))
    )
    assert request.headers["Authorization"] == "Bearer bedrock-api-key"


def test_sigv4_signs_with_botocore() -> None:
    creds = credentials(
        api_base="https://bedrock-runtime.us-east-1.amazonaws.com",
        api_key=None,
        region="us-east-1",
        aws_access_key_id=Secret("AKIDEXAMPLE"),
        aws_secret_access_key=Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        aws_session_token=Secret("session-token"),
    )
    request = ADAPTER.build_chat_request(chat("bedrock", MODEL, creds=creds))
    auth = request.headers["Authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-east-1/bedrock/aws4_request" in auth and "Signature=" in auth
    assert request.headers["X-Amz-Security-Token"] == "session-token"
    assert "X-Amz-Date" in request.headers


def test_embeddings_titan_and_cohere() -> None:
    from tests.providers.native_calls import embedding

    titan = embedding("bedrock", "amazon.titan-embed-text-v2:0", "hello", dimensions=256)
    request = ADAPTER.build_embedding_request(titan)
    assert request.url.endswith("/model/amazon.titan-embed-text-v2%3A0/invoke")
    assert body_of(request) == {"inputText": "hello", "dimensions": 256}
    result = ADAPTER.parse_embedding_response(
        titan, response({"embedding": [0.1, 0.2], "inputTextTokenCount": 3})
    )
    assert result.data[0].embedding == [0.1, 0.2]
    assert result.usage is not None and result.usage.prompt_tokens == 3
    with pytest.raises(BadRequestError, match="one input"):
        ADAPTER.build_embedding_request(
            embedding("bedrock", "amazon.titan-embed-text-v1", ["a", "b"])
        )

    cohere = embedding("bedrock", "cohere.embed-english-v3", ["a", "b"], input_type="search_query")
    assert body_of(ADAPTER.build_embedding_request(cohere)) == {
        "texts": ["a", "b"],
        "input_type": "search_query",
    }
    result = ADAPTER.parse_embedding_response(
        cohere,
        response(
            {"embeddings": [[1.0], [2.0]], "response_type": "embeddings_floats"},
            **{"x-amzn-bedrock-input-token-count": "4"},
        ),
    )
    assert [d.embedding for d in result.data] == [[1.0], [2.0]]
    assert result.usage is not None and result.usage.prompt_tokens == 4


def test_aws_options_are_never_sent_upstream() -> None:
    with pytest.raises(BadRequestError, match="aws_profile_name"):
        ADAPTER.build_chat_request(chat("bedrock", MODEL, aws_profile_name="prod"))
