"""Pure parts: behaviour parsing, model-name grammar, the queue, schema samples, replies."""

from __future__ import annotations

import pytest

from lockgate.mock.behaviour import Behaviour, BehaviourError
from lockgate.mock.reply import Prompt, ToolSpec, plan_reply, split_pieces
from lockgate.mock.schema_sample import sample_from_schema
from lockgate.mock.scripting import (
    ScriptQueue,
    behaviour_from_headers,
    behaviour_from_model,
    parse_script,
)


def test_model_grammar() -> None:
    assert behaviour_from_model("gpt-4o") is None
    assert behaviour_from_model("mock-plain") is None
    assert behaviour_from_model("mock-error-429-retry-500ms") == Behaviour(
        status=429, retry_after_s=0.5
    )
    assert behaviour_from_model("mock-a-slow-1.5s-tps-20-break-4") == Behaviour(
        latency_ms=1500.0, tokens_per_second=20.0, break_after=4
    )
    assert behaviour_from_model("mock-error-overloaded-midstream-2-tokens-9") == Behaviour(
        error="overloaded", stream_error_after=2, reply_tokens=9
    )
    with pytest.raises(BehaviourError):
        behaviour_from_model("mock-error-teapot")
    with pytest.raises(BehaviourError):
        behaviour_from_model("mock-error-200")


def test_headers() -> None:
    assert behaviour_from_headers({}) is None
    parsed = behaviour_from_headers({"x-mock-usage": "3,4", "x-mock-latency-ms": "5"})
    assert parsed == Behaviour(usage=(3, 4), latency_ms=5.0)
    with pytest.raises(BehaviourError):
        behaviour_from_headers({"x-mock-usage": "3"})
    with pytest.raises(BehaviourError):
        behaviour_from_headers({"x-mock-break-after": "-1"})


def test_over_keeps_base_fields() -> None:
    base = Behaviour(latency_ms=10.0, retry_after_s=1.0)
    assert Behaviour(status=500).over(base) == Behaviour(
        status=500, latency_ms=10.0, retry_after_s=1.0
    )


def test_parse_script_forms() -> None:
    entries = parse_script([{"status": 429, "times": 2}, {"model": "m", "content": "x"}])
    assert entries == [
        (None, Behaviour(status=429)),
        (None, Behaviour(status=429)),
        ("m", Behaviour(content="x")),
    ]
    assert parse_script({"m": [{"latency_ms": 1}]}) == [("m", Behaviour(latency_ms=1.0))]
    for bad in ("x", [1], [{"times": 0}], [{"usage": [1]}], [{"status": "429"}], {"m": {}}):
        with pytest.raises(BehaviourError):
            parse_script(bad)


def test_queue_prefers_the_model_queue() -> None:
    queue = ScriptQueue()
    queue.push([(None, Behaviour(status=500)), ("m", Behaviour(status=429))])
    assert queue.pop("other") == Behaviour(status=500)
    assert queue.pop("m") == Behaviour(status=429)
    assert queue.pop("m") is None and len(queue) == 0


def test_schema_sample() -> None:
    schema = {
        "type": "object",
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "item": {"$ref": "#/$defs/Item"},
            "maybe": {"anyOf": [{"type": "null"}, {"type": "number"}]},
            "kind": {"type": ["string", "null"], "enum": ["a", "b"]},
        },
        "$defs": {"Item": {"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}}},
    }
    assert sample_from_schema(schema) == {
        "when": "2025-01-01T00:00:00Z",
        "item": {"n": 1},
        "maybe": 1.5,
        "kind": "a",
    }
    recursive = {"$ref": "#"}
    assert sample_from_schema(recursive) is None


def test_pieces_round_trip() -> None:
    text = "  Hello,\n world!  "
    assert "".join(split_pieces(text)) == text
    assert split_pieces("") == ()


def test_plan_reply_rules() -> None:
    tools = (ToolSpec("f", {"type": "object", "properties": {"x": {"type": "boolean"}}}),)
    call = plan_reply(Prompt("hi", 2, tools=tools), Behaviour())
    assert call.tool_call is not None and call.tool_call.arguments == {"x": True}
    answered = plan_reply(Prompt("hi", 2, tools=tools, after_tool_result=True), Behaviour())
    assert answered.tool_call is None and answered.text
    scripted = plan_reply(Prompt("hi", 2, tools=tools), Behaviour(content="text wins"))
    assert scripted.tool_call is None and scripted.text == "text wins"
    long = plan_reply(Prompt("", 0, max_tokens=3), Behaviour(reply_tokens=10))
    assert len(long.pieces) == 3 and not long.complete
