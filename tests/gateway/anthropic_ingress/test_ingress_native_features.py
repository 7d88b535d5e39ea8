"""Anthropic-only features through /v1/messages, decided per deployment after routing.

The official anthropic SDK drives the real gateway on loopback. An Anthropic-protocol
deployment (anthropic/, vertex_ai/claude-*) must receive cache_control, thinking, top_k and
thinking blocks exactly; an OpenAI deployment must receive none of them and still answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import anthropic
import pytest
from tests.gateway.anthropic_ingress.cached_upstream import (
    REDACTED,
    SIGNATURE,
    TEXT,
    THINKING,
    CachedUpstream,
    cached_upstream,
)
from tests.gateway.harness import MASTER_KEY, RunningGateway, running_gateway

from lockgate.config import parse_config
from lockgate.mock import MockServer

VERTEX_ROOT = "/v1/projects/p1/locations/us-east5"
VERTEX_PATH = VERTEX_ROOT + "/publishers/anthropic/models/"
ANTHROPIC_ONLY_KEYS = frozenset(
    {"cache_control", "thinking", "thinking_blocks", "is_error", "top_k", "anthropic_params"}
)
EPHEMERAL = {"type": "ephemeral"}
HOUR = {"type": "ephemeral", "ttl": "1h"}
THINKING_ON = {"type": "enabled", "budget_tokens": 2048}
SYSTEM = [
    {"type": "text", "text": "You are a careful assistant."},
    {"type": "text", "text": "Long, stable rules worth caching.", "cache_control": HOUR},
]
TOOLS = [
    {
        "name": "lookup",
        "description": "Look a word up.",
        "input_schema": {"type": "object", "properties": {"word": {"type": "string"}}},
    },
    {
        "name": "define",
        "description": "Define a word.",
        "input_schema": {"type": "object", "properties": {"word": {"type": "string"}}},
        "cache_control": EPHEMERAL,
    },
]
QUESTION = {
    "role": "user",
    "content": [{"type": "text", "text": "What does cache mean?", "cache_control": EPHEMERAL}],
}


def _config(mock_url: str, cached_url: str) -> str:
    def entry(name: str, model: str, base: str, extra: str = "") -> str:
        return (
            f"  - model_name: {name}\n    litellm_params:\n      model: {model}\n"
            f"      api_base: {base}\n      api_key: upstream-key-123\n{extra}"
        )

    return (
        "model_list:\n"
        + entry("claude", "anthropic/claude-sonnet-4-5", mock_url)
        + entry("claude-vertex", "vertex_ai/claude-sonnet-4-5@20250929", mock_url + VERTEX_ROOT)
        + entry("gpt", "openai/o4-mini", mock_url + "/v1")
        + entry("gpt-plain", "openai/gpt-4o-mini", mock_url + "/v1")
        + entry("claude-cached", "anthropic/claude-sonnet-4-5", cached_url)
        # One group, two protocols: the OpenAI deployment first (order 1), Anthropic second.
        + entry("mixed", "openai/o4-mini-mixed", mock_url + "/v1", "      order: 1\n")
        + entry("mixed", "anthropic/claude-mixed", mock_url, "      order: 2\n")
        # And the other way round.
        + entry("mixed-reverse", "anthropic/claude-reverse", mock_url, "      order: 1\n")
        + entry("mixed-reverse", "openai/o4-mini-reverse", mock_url + "/v1", "      order: 2\n")
        + "router_settings:\n  num_retries: 1\n"
    )


@pytest.fixture
async def upstream() -> AsyncIterator[CachedUpstream]:
    async with cached_upstream() as running:
        yield running


@pytest.fixture
async def claude(
    mock: MockServer, upstream: CachedUpstream
) -> AsyncIterator[anthropic.AsyncAnthropic]:
    config = parse_config(_config(mock.url, upstream.url), source="<native>", env={})
    running: RunningGateway
    async with running_gateway(config) as running:
        client = anthropic.AsyncAnthropic(base_url=running.url, api_key=MASTER_KEY, max_retries=0)
        yield client
        await client.close()


def _keys(value: Any) -> Iterator[str]:
    """Every object key anywhere in a JSON value."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def _body(mock: MockServer, path_start: str, index: int = -1) -> dict[str, Any]:
    request = mock.requests[index]
    assert str(request["path"]).startswith(path_start), request["path"]
    body = request["body"]
    assert isinstance(body, dict)
    return body


async def _ask_with_everything(
    claude: anthropic.AsyncAnthropic, model: str
) -> anthropic.types.Message:
    return await claude.messages.create(
        model=model,
        max_tokens=4096,
        system=SYSTEM,
        tools=TOOLS,
        thinking=THINKING_ON,
        messages=[QUESTION],
        # This SDK version has no top_k argument; top-level cache_control is automatic caching.
        extra_body={"top_k": 7, "cache_control": EPHEMERAL},
    )


def _assert_anthropic_body(body: dict[str, Any]) -> None:
    assert body["system"] == SYSTEM
    assert body["tools"] == TOOLS
    assert body["messages"] == [QUESTION]
    assert body["thinking"] == THINKING_ON
    assert body["top_k"] == 7
    assert body["cache_control"] == EPHEMERAL
    assert body["max_tokens"] == 4096
    assert "anthropic_params" not in body and "reasoning_effort" not in body


async def test_anthropic_deployment_gets_every_field_exactly(
    claude: anthropic.AsyncAnthropic, mock: MockServer
) -> None:
    message = await _ask_with_everything(claude, "claude")
    body = _body(mock, "/v1/messages")
    _assert_anthropic_body(body)
    assert body["model"] == "claude-sonnet-4-5"
    thinking = message.content[0]
    assert thinking.type == "thinking" and thinking.thinking and thinking.signature
    assert message.content[1].type == "tool_use"


async def test_vertex_claude_gets_the_same_fields(
    claude: anthropic.AsyncAnthropic, mock: MockServer
) -> None:
    message = await _ask_with_everything(claude, "claude-vertex")
    body = _body(mock, VERTEX_PATH + "claude-sonnet-4-5@20250929:rawPredict")
    _assert_anthropic_body(body)
    assert "model" not in body and body["anthropic_version"] == "vertex-2023-10-16"
    assert message.content[0].type == "thinking" and message.content[0].signature


async def test_openai_deployment_gets_none_of_them_and_answers(
    claude: anthropic.AsyncAnthropic, mock: MockServer
) -> None:
    message = await claude.messages.create(
        model="gpt",
        max_tokens=4096,
        system=SYSTEM,
        tools=TOOLS,
        thinking=THINKING_ON,
        extra_body={"top_k": 7, "cache_control": EPHEMERAL},
        messages=[
            QUESTION,
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "Use the tool.", "signature": "sig-1"},
                    {"type": "redacted_thinking", "data": "opaque"},
                    {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"word": "x"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_1",
                        "content": "not found",
                        "is_error": True,
                        "cache_control": EPHEMERAL,
                    }
                ],
            },
        ],
    )
    body = _body(mock, "/v1/chat/completions")
    assert ANTHROPIC_ONLY_KEYS.isdisjoint(set(_keys(body))), body
    assert "output_config" not in body
    # What OpenAI does understand still arrives: the translation of each field.
    assert body["reasoning_effort"] == "medium"
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "tool"]
    assert body["messages"][3] == {
        "role": "tool",
        "tool_call_id": "toolu_1",
        "content": "not found",
    }
    assert [t["function"]["name"] for t in body["tools"]] == ["lookup", "define"]
    assert message.stop_reason == "end_turn"
    assert message.content[-1].type == "text" and message.content[-1].text


async def test_thinking_does_not_fail_a_model_that_cannot_reason(
    claude: anthropic.AsyncAnthropic, mock: MockServer
) -> None:
    # Claude Code asks for thinking by default; gpt-4o-mini takes no reasoning_effort, and
    # the effort was derived by the gateway, not asked for: it is left out, not refused.
    message = await claude.messages.create(
        model="gpt-plain",
        max_tokens=4096,
        thinking=THINKING_ON,
        messages=[{"role": "user", "content": "hi"}],
    )
    body = _body(mock, "/v1/chat/completions")
    assert "reasoning_effort" not in body and "thinking" not in body
    assert message.content[0].type == "text"


async def test_mixed_group_decides_per_deployment(
    claude: anthropic.AsyncAnthropic, mock: MockServer
) -> None:
    # The OpenAI deployment (order 1) fails once; the retry goes to the Anthropic one. The
    # same call reaches both: stripped for the first, whole for the second.
    mock.script([{"model": "o4-mini-mixed", "status": 500}])
    message = await _ask_with_everything(claude, "mixed")
    openai_body = _body(mock, "/v1/chat/completions", -2)
    assert openai_body["model"] == "o4-mini-mixed"
    assert ANTHROPIC_ONLY_KEYS.isdisjoint(set(_keys(openai_body))), openai_body
    anthropic_body = _body(mock, "/v1/messages", -1)
    assert anthropic_body["model"] == "claude-mixed"
    _assert_anthropic_body(anthropic_body)
    assert message.content[0].type == "thinking" and message.content[0].signature


async def test_mixed_group_anthropic_first(
    claude: anthropic.AsyncAnthropic, mock: MockServer
) -> None:
    # The Anthropic deployment (order 1) fails once after receiving everything; the OpenAI
    # one then gets a clean body: what the first adapter did left the call intact.
    mock.script([{"model": "claude-reverse", "status": 500}])
    message = await _ask_with_everything(claude, "mixed-reverse")
    anthropic_body = _body(mock, "/v1/messages", -2)
    assert anthropic_body["model"] == "claude-reverse"
    _assert_anthropic_body(anthropic_body)
    openai_body = _body(mock, "/v1/chat/completions", -1)
    assert openai_body["model"] == "o4-mini-reverse"
    assert ANTHROPIC_ONLY_KEYS.isdisjoint(set(_keys(openai_body))), openai_body
    assert message.content[0].type == "tool_use"  # OpenAI reasoning is not returned


async def test_thinking_and_tool_use_round_trip_keeps_the_signature(
    claude: anthropic.AsyncAnthropic, mock: MockServer
) -> None:
    first = await claude.messages.create(
        model="claude",
        max_tokens=4096,
        thinking=THINKING_ON,
        tools=TOOLS,
        messages=[{"role": "user", "content": "Look up cache."}],
    )
    thinking, tool_use = first.content
    assert thinking.type == "thinking" and thinking.signature
    assert tool_use.type == "tool_use"
    second = await claude.messages.create(
        model="claude",
        max_tokens=4096,
        thinking=THINKING_ON,
        tools=TOOLS,
        messages=[
            {"role": "user", "content": "Look up cache."},
            {"role": "assistant", "content": [b.model_dump() for b in first.content]},
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": tool_use.id, "content": "a store"}
                ],
            },
        ],
    )
    sent = _body(mock, "/v1/messages")["messages"]
    assert sent[1]["content"][0] == {
        "type": "thinking",
        "thinking": thinking.thinking,
        "signature": thinking.signature,
    }
    assert sent[1]["content"][1] == {
        "type": "tool_use",
        "id": tool_use.id,
        "name": tool_use.name,
        "input": tool_use.input,
    }
    assert sent[2]["content"][0]["type"] == "tool_result"
    assert second.stop_reason == "end_turn"


@pytest.mark.parametrize(
    ("model", "path"),
    [
        ("claude", "/v1/messages"),
        ("claude-vertex", VERTEX_PATH + "claude-sonnet-4-5@20250929:streamRawPredict"),
    ],
)
async def test_streamed_thinking_signature_survives_the_next_turn(
    claude: anthropic.AsyncAnthropic, mock: MockServer, model: str, path: str
) -> None:
    signatures: list[str] = []
    async with claude.messages.stream(
        model=model,
        max_tokens=4096,
        thinking=THINKING_ON,
        tools=TOOLS,
        messages=[{"role": "user", "content": "Think, then look it up."}],
        extra_body={"top_k": 4},
    ) as stream:
        async for event in stream:
            if event.type == "content_block_delta" and event.delta.type == "signature_delta":
                signatures.append(event.delta.signature)
        final = await stream.get_final_message()
    body = _body(mock, path)
    assert body["stream"] is True and body["top_k"] == 4 and body["thinking"] == THINKING_ON
    assert len(signatures) == 1 and signatures[0]
    thinking, tool_use = final.content
    assert thinking.type == "thinking" and thinking.thinking
    assert thinking.signature == signatures[0]
    assert tool_use.type == "tool_use"
    await claude.messages.create(
        model=model,
        max_tokens=4096,
        thinking=THINKING_ON,
        tools=TOOLS,
        messages=[
            {"role": "user", "content": "Think, then look it up."},
            {"role": "assistant", "content": [b.model_dump() for b in final.content]},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": tool_use.id, "content": "ok"}],
            },
        ],
    )
    sent = _body(mock, path.replace("streamRawPredict", "rawPredict"))["messages"][1]["content"]
    assert sent[0] == {
        "type": "thinking",
        "thinking": thinking.thinking,
        "signature": signatures[0],
    }
    assert sent[1]["type"] == "tool_use" and sent[1]["id"] == tool_use.id


async def test_cache_counts_and_redacted_thinking_non_stream(
    claude: anthropic.AsyncAnthropic, upstream: CachedUpstream
) -> None:
    message = await claude.messages.create(
        model="claude-cached",
        max_tokens=4096,
        system=SYSTEM,
        thinking=THINKING_ON,
        messages=[QUESTION],
    )
    assert upstream.bodies[-1]["system"] == SYSTEM
    assert [b.model_dump(exclude_none=True) for b in message.content] == [
        {"type": "thinking", "thinking": THINKING, "signature": SIGNATURE},
        {"type": "redacted_thinking", "data": REDACTED},
        {"type": "text", "text": TEXT},
    ]
    assert message.usage.input_tokens == 11
    assert message.usage.cache_creation_input_tokens == 1500
    assert message.usage.cache_read_input_tokens == 2055
    assert message.usage.output_tokens == 42


async def test_cache_counts_and_redacted_thinking_stream(
    claude: anthropic.AsyncAnthropic, upstream: CachedUpstream
) -> None:
    async with claude.messages.stream(
        model="claude-cached",
        max_tokens=4096,
        thinking=THINKING_ON,
        messages=[QUESTION],
    ) as stream:
        final = await stream.get_final_message()
    assert upstream.bodies[-1]["messages"] == [QUESTION]
    assert [b.model_dump(exclude_none=True) for b in final.content] == [
        {"type": "thinking", "thinking": THINKING, "signature": SIGNATURE},
        {"type": "redacted_thinking", "data": REDACTED},
        {"type": "text", "text": TEXT},
    ]
    assert final.usage.input_tokens == 11
    assert final.usage.cache_creation_input_tokens == 1500
    assert final.usage.cache_read_input_tokens == 2055
    assert final.usage.output_tokens == 42


async def test_redacted_thinking_goes_back_first_in_its_turn(
    claude: anthropic.AsyncAnthropic, upstream: CachedUpstream
) -> None:
    first = await claude.messages.create(
        model="claude-cached",
        max_tokens=4096,
        thinking=THINKING_ON,
        messages=[QUESTION],
    )
    await claude.messages.create(
        model="claude-cached",
        max_tokens=4096,
        thinking=THINKING_ON,
        messages=[
            QUESTION,
            {"role": "assistant", "content": [b.model_dump() for b in first.content]},
            {"role": "user", "content": "And again?"},
        ],
    )
    assert upstream.bodies[-1]["messages"][1]["content"] == [
        {"type": "thinking", "thinking": THINKING, "signature": SIGNATURE},
        {"type": "redacted_thinking", "data": REDACTED},
        {"type": "text", "text": TEXT},
    ]
