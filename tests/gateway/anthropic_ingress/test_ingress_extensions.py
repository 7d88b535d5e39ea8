"""The Anthropic-only keys left for Anthropic upstreams come off for every other provider."""

from __future__ import annotations

import copy

import orjson

from lockgate.client.params import split_options
from lockgate.gateway.anthropic_ingress import anthropic_request_to_openai
from lockgate.providers import PROVIDERS, ChatCall, Credentials
from lockgate.providers.anthropic.adapter import AnthropicAdapter
from lockgate.providers.anthropic_extensions import plain_messages, plain_tools

EPHEMERAL = {"type": "ephemeral"}
BODY = {
    "model": "m",
    "max_tokens": 10,
    "system": [{"type": "text", "text": "S", "cache_control": EPHEMERAL}],
    "tools": [{"name": "f", "input_schema": {"type": "object"}, "cache_control": EPHEMERAL}],
    "thinking": {"type": "enabled", "budget_tokens": 4000},
    "messages": [
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "t", "signature": "s"},
                {"type": "tool_use", "id": "t1", "name": "f", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "content": "r",
                    "is_error": True,
                    "cache_control": EPHEMERAL,
                },
                {"type": "text", "text": "next", "cache_control": EPHEMERAL},
            ],
        },
    ],
}


def test_plain_messages_and_tools_drop_every_anthropic_key() -> None:
    call = anthropic_request_to_openai(BODY)
    before = copy.deepcopy(call)
    messages = plain_messages(call.messages)
    tools = plain_tools(call.params["tools"])
    assert call == before  # the call is untouched: another deployment may still need it
    assert messages == [
        {"role": "system", "content": [{"type": "text", "text": "S"}]},
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "r"},
        {"role": "user", "content": [{"type": "text", "text": "next"}]},
    ]
    assert tools == [
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    ]


def test_plain_messages_returns_the_same_list_when_nothing_is_marked() -> None:
    messages = [{"role": "user", "content": [{"type": "text", "text": "q"}]}]
    assert plain_messages(messages) is messages


def test_dispatch_params_carry_the_anthropic_fields_beside_their_translation() -> None:
    call = anthropic_request_to_openai({**BODY, "top_k": 5, "stream": True})
    params = call.dispatch_params()
    assert "stream" not in params
    assert params["reasoning_effort"] == "high"
    assert params["anthropic_params"] == {
        "thinking": {"type": "enabled", "budget_tokens": 4000},
        "top_k": 5,
    }
    assert params["droppable_params"] == ["reasoning_effort"]
    assert (
        "anthropic_params"
        not in anthropic_request_to_openai(
            {"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "q"}]}
        ).dispatch_params()
    )


RICH = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 8000,
    "system": [
        {"type": "text", "text": "Rules."},
        {
            "type": "text",
            "text": "More rules.",
            "cache_control": {"type": "ephemeral", "ttl": "1h"},
        },
    ],
    "tools": BODY["tools"],
    "tool_choice": {"type": "auto"},
    "thinking": {"type": "enabled", "budget_tokens": 4000},
    "top_k": 20,
    "cache_control": EPHEMERAL,
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Look at this."},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0K"},
                    "cache_control": EPHEMERAL,
                },
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "t1", "signature": "sig1"},
                {"type": "redacted_thinking", "data": "opaque"},
                {"type": "text", "text": "Calling f."},
                {
                    "type": "tool_use",
                    "id": "t1",
                    "name": "f",
                    "input": {"a": 1},
                    "cache_control": EPHEMERAL,
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "content": "r",
                    "is_error": True,
                    "cache_control": EPHEMERAL,
                },
                {"type": "text", "text": "next", "cache_control": EPHEMERAL},
            ],
        },
    ],
}


def test_an_anthropic_request_reaches_the_anthropic_wire_unchanged() -> None:
    call = anthropic_request_to_openai(RICH)
    params, options = split_options(call.dispatch_params())  # as the client does
    assert options == {"droppable_params": ["reasoning_effort"]}
    chat = ChatCall(
        provider=PROVIDERS["anthropic"],
        model="claude-sonnet-4-5",
        messages=call.messages,
        params=params,
        stream=False,
        credentials=Credentials(api_base="https://api.anthropic.com"),
    )
    sent = orjson.loads(AnthropicAdapter().build_chat_request(chat).body or b"")
    assert sent == RICH
