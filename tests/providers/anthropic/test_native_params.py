"""``anthropic_params`` and the Anthropic-only message keys: sent by Anthropic-protocol
adapters, removed by every other (pure translation, and through the real Client)."""

from __future__ import annotations

from typing import Any

import pytest

from lockgate.client import Client
from lockgate.client.params import check_supported
from lockgate.errors import BadRequestError
from lockgate.mock import MockServer
from lockgate.providers import ADAPTERS
from lockgate.providers.anthropic.adapter import AnthropicAdapter
from lockgate.providers.anthropic.request import json_tool_expected
from lockgate.providers.gemini.vertex_adapter import VertexAdapter
from lockgate.types import ChatCompletion
from tests.providers.helpers import body_of, chat_call

ADAPTER = AnthropicAdapter()
MODEL = "claude-sonnet-4-5"
ASK = [{"role": "user", "content": "q"}]
EPHEMERAL = {"type": "ephemeral"}
MARKED_TOOL = {
    "type": "function",
    "function": {"name": "f", "parameters": {"type": "object"}},
    "cache_control": EPHEMERAL,
}


def build(**params: Any) -> dict[str, Any]:
    return body_of(ADAPTER.build_chat_request(chat_call("anthropic", MODEL, ASK, **params)))


def test_native_fields_are_sent_verbatim_in_place_of_their_translation() -> None:
    thinking = {"type": "enabled", "budget_tokens": 3000}
    body = build(
        max_tokens=8000,
        reasoning_effort="high",  # derived from thinking by /v1/messages: not applied again
        anthropic_params={"thinking": thinking, "top_k": 5, "cache_control": EPHEMERAL},
    )
    assert body["thinking"] == thinking
    assert body["top_k"] == 5 and body["cache_control"] == EPHEMERAL
    assert "anthropic_params" not in body and "reasoning_effort" not in body


def test_output_config_effort_does_not_turn_thinking_on() -> None:
    body = build(
        max_tokens=100,
        reasoning_effort="medium",
        anthropic_params={"output_config": {"effort": "medium"}},
    )
    assert body["output_config"] == {"effort": "medium"}
    assert "thinking" not in body


def test_output_config_format_replaces_the_json_tool() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    output_config = {"format": {"type": "json_schema", "schema": schema}}
    params: dict[str, Any] = {
        "max_tokens": 100,
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
        "anthropic_params": {"output_config": output_config},
    }
    body = build(**params)
    assert body["output_config"] == output_config
    assert "tools" not in body and "tool_choice" not in body
    assert not json_tool_expected(params)
    # Without anthropic_params the same response_format is served by the forced tool.
    assert json_tool_expected({k: v for k, v in params.items() if k != "anthropic_params"})


@pytest.mark.parametrize(
    ("value", "param"),
    [
        ({"model": "claude-opus-4"}, "anthropic_params.model"),
        ({"top_k": 1, "messages": []}, "anthropic_params.messages"),
        ("top_k=1", "anthropic_params"),
    ],
)
def test_anything_else_in_anthropic_params_is_refused(value: Any, param: str) -> None:
    with pytest.raises(BadRequestError) as info:
        build(max_tokens=10, anthropic_params=value)
    assert info.value.param == param


def test_only_anthropic_protocol_calls_keep_anthropic_params() -> None:
    params = {"temperature": 0.5, "anthropic_params": {"top_k": 5}}

    def kept(provider: str, model: str) -> dict[str, Any]:
        call = chat_call(provider, model, ASK, **params)
        supported = ADAPTERS[call.provider.protocol].supported_params(call)
        return check_supported(
            dict(params),
            supported,
            drop_params=False,  # never refused: the call was valid for Anthropic
            additional_drop=frozenset(),
            provider=provider,
            model=model,
        )

    assert kept("anthropic", MODEL) == params
    assert kept("vertex_ai", "claude-sonnet-4-5@20250929") == params
    for provider, model in [
        ("openai", "gpt-4o"),
        ("vertex_ai", "gemini-2.5-flash"),
        ("gemini", "gemini-2.5-flash"),
        ("bedrock", "anthropic.claude-sonnet-4-5"),
        ("cohere", "command-a-03-2025"),
        ("ollama", "llama3.1"),
        ("azure", "gpt-4o"),
    ]:
        assert kept(provider, model) == {"temperature": 0.5}, provider


def test_vertex_claude_body_carries_the_native_fields() -> None:
    call = chat_call(
        "vertex_ai",
        "claude-sonnet-4-5@20250929",
        ASK,
        vertex_project="p",
        vertex_location="us-east5",
        max_tokens=10,
        anthropic_params={"top_k": 2},
    )
    body = body_of(VertexAdapter().build_chat_request(call))
    assert body["top_k"] == 2 and "anthropic_params" not in body


@pytest.mark.parametrize(("provider", "model"), [("cohere", "command-a"), ("ollama", "llama3.1")])
def test_tool_cache_markers_do_not_reach_other_protocols(provider: str, model: str) -> None:
    call = chat_call(provider, model, ASK, tools=[MARKED_TOOL])
    body = body_of(ADAPTERS[call.provider.protocol].build_chat_request(call))
    assert body["tools"] == [{k: v for k, v in MARKED_TOOL.items() if k != "cache_control"}]
    assert MARKED_TOOL["cache_control"] == EPHEMERAL  # the caller's tool is not changed


async def test_client_sends_openai_a_plain_body(client: Client, mock: MockServer) -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": [{"type": "text", "text": "S", "cache_control": EPHEMERAL}]},
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
            "thinking_blocks": [{"type": "thinking", "thinking": "t", "signature": "s"}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "r", "is_error": True},
    ]
    result = await client.acompletion(
        "openai/gpt-4o",
        messages,
        api_base=mock.openai_base_url,
        api_key="sk-test",
        tools=[MARKED_TOOL],
        anthropic_params={"top_k": 3},
    )
    assert isinstance(result, ChatCompletion)
    body = mock.requests[-1]["body"]
    assert isinstance(body, dict)
    assert body["messages"] == [
        {"role": "system", "content": [{"type": "text", "text": "S"}]},
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "r"},
    ]
    assert body["tools"] == [{"type": "function", "function": MARKED_TOOL["function"]}]
    assert "anthropic_params" not in body and "top_k" not in body
    assert messages[0]["content"][0]["cache_control"] == EPHEMERAL  # caller's list untouched


async def test_client_sends_anthropic_the_native_fields(client: Client, mock: MockServer) -> None:
    thinking = {"type": "enabled", "budget_tokens": 1500}
    result = await client.acompletion(
        f"anthropic/{MODEL}",
        ASK,
        api_base=mock.url,
        api_key="sk-ant-test",
        max_tokens=4000,
        anthropic_params={"thinking": thinking, "top_k": 3},
    )
    assert isinstance(result, ChatCompletion)
    body = mock.requests[-1]["body"]
    assert isinstance(body, dict)
    assert body["thinking"] == thinking and body["top_k"] == 3
    blocks = result.choices[0].message.extra["thinking_blocks"]
    assert blocks[0]["type"] == "thinking" and blocks[0]["signature"]
