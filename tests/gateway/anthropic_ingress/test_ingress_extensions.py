"""The Anthropic-only keys left for Anthropic upstreams come off for every other provider."""

from __future__ import annotations

import copy

from lockgate.gateway.anthropic_ingress import anthropic_request_to_openai, without_extensions

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


def test_without_extensions() -> None:
    call = anthropic_request_to_openai(BODY)
    before = copy.deepcopy(call)
    plain = without_extensions(call)
    assert call == before  # the original is untouched
    assert plain.messages == [
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
    assert plain.params["tools"] == [
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    ]
    assert plain.params["reasoning_effort"] == "high"
    assert plain.anthropic_params == call.anthropic_params
