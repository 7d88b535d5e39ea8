"""Through the real Client and the Anthropic mock: what must survive a whole conversation."""

from __future__ import annotations

from typing import Any

from lockgate.client import Client
from lockgate.mock import MockServer
from lockgate.types import ChatCompletion

TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
    },
}


async def ask(
    client: Client, mock: MockServer, messages: list[dict[str, Any]], **kw: Any
) -> ChatCompletion:
    result = await client.acompletion(
        "anthropic/claude-sonnet-4-5", messages, api_base=mock.url, api_key="sk-ant-test", **kw
    )
    assert isinstance(result, ChatCompletion)
    return result


async def test_thinking_signature_survives_a_tool_turn(client: Client, mock: MockServer) -> None:
    first = await ask(
        client,
        mock,
        [{"role": "user", "content": "look it up"}],
        tools=[TOOL],
        reasoning_effort="low",
    )
    message = first.choices[0].message
    blocks = message.extra["thinking_blocks"]
    assert blocks[0]["signature"] and message.reasoning_content
    assert mock.requests[-1]["body"]["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    (call,) = message.tool_calls or []
    # The caller sends the assistant message back as it got it (LiteLLM users do the same).
    history = [
        {"role": "user", "content": "look it up"},
        message.model_dump(),
        {"role": "tool", "tool_call_id": call.id, "content": "found it"},
    ]
    second = await ask(client, mock, history, tools=[TOOL], reasoning_effort="low")
    assert second.choices[0].finish_reason == "stop"
    sent = mock.requests[-1]["body"]["messages"][1]["content"]
    assert sent[0] == {
        "type": "thinking",
        "thinking": blocks[0]["thinking"],
        "signature": blocks[0]["signature"],
    }
    assert sent[1]["type"] == "tool_use" and sent[1]["id"] == call.id


async def test_cache_control_reaches_anthropic(client: Client, mock: MockServer) -> None:
    marker = {"type": "ephemeral", "ttl": "1h"}
    await ask(
        client,
        mock,
        [
            {
                "role": "system",
                "content": [{"type": "text", "text": "big prefix", "cache_control": marker}],
            },
            {"role": "user", "content": [{"type": "text", "text": "q", "cache_control": marker}]},
        ],
    )
    body = mock.requests[-1]["body"]
    assert body["system"] == [{"type": "text", "text": "big prefix", "cache_control": marker}]
    assert body["messages"][0]["content"][0]["cache_control"] == marker


async def test_streamed_thinking_blocks_can_be_rebuilt(client: Client, mock: MockServer) -> None:
    stream = await client.acompletion(
        "anthropic/claude-sonnet-4-5",
        [{"role": "user", "content": "think"}],
        stream=True,
        reasoning_effort="low",
        api_base=mock.url,
        api_key="sk-ant-test",
    )
    reasoning, signatures = [], []
    async for chunk in stream:  # type: ignore[union-attr]
        for choice in chunk.choices:
            reasoning.append(choice.delta.reasoning_content or "")
            signatures += [b["signature"] for b in choice.delta.extra.get("thinking_blocks", ())]
    assert "".join(reasoning) and len(signatures) == 1
