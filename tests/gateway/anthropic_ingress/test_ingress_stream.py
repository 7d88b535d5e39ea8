"""OpenAI chunks → Anthropic SSE bytes, compared with Anthropic's recorded streams."""

from __future__ import annotations

import json
from typing import Any

from ingress_harness import chunk, sse_events, translate_stream, usage_chunk
from ingress_recordings import BASIC_STREAM, THINKING_STREAM_DATA, TOOL_STREAM

from lockgate.gateway.anthropic_ingress import PING_EVENT, AnthropicStreamTranslator
from lockgate.types import ChatCompletionChunk, PromptTokensDetails, Usage


def _blocks(raw: bytes) -> list[bytes]:
    return [block + b"\n\n" for block in raw.split(b"\n\n")[:-1]]


def _tool_delta(
    index: int, call_id: str | None = None, name: str | None = None, args: str = ""
) -> dict[str, Any]:
    call: dict[str, Any] = {"index": index, "function": {"arguments": args}}
    if call_id is not None:
        call.update(id=call_id, type="function")
    if name is not None:
        call["function"]["name"] = name
    return call


def test_basic_recording_byte_for_byte() -> None:
    chunks = [
        chunk(role="assistant", content=""),
        chunk(content="Hello"),
        chunk(content=" there"),
        chunk(content="!"),
        chunk("stop"),
        usage_chunk(Usage(prompt_tokens=11, completion_tokens=6, total_tokens=17)),
    ]
    # message_start goes out before the upstream reports usage: it carries the estimate.
    ours = _blocks(translate_stream(chunks, input_tokens=11))
    recorded = _blocks(BASIC_STREAM)
    # Everything between message_start and message_delta is identical, bytes included.
    assert ours[1:-2] == recorded[1:-2]
    assert ours[-1] == recorded[-1]
    (_, start), (_, delta) = sse_events(ours[0])[0], sse_events(ours[-2])[0]
    assert start["message"]["usage"]["input_tokens"] == 11
    assert start["message"]["content"] == [] and start["message"]["stop_reason"] is None
    assert start["message"]["id"] == "msg_chatcmpl-stream"
    assert delta["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}
    assert delta["usage"]["output_tokens"] == 6
    assert delta["usage"]["input_tokens"] == 11


def test_tool_use_recording() -> None:
    fragments = ['{"locati', 'on": "P', "ar", 'is"}']
    chunks = [
        chunk(role="assistant", content="I"),
        chunk(content="'ll check the current weather in Paris for you."),
        chunk(tool_calls=[_tool_delta(0, "toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather")]),
        *(chunk(tool_calls=[_tool_delta(0, args=f)]) for f in fragments),
        chunk("tool_calls", usage=Usage(prompt_tokens=377, completion_tokens=65, total_tokens=442)),
    ]
    ours = translate_stream(chunks)
    # The recording's tool_use start also names its "caller", which OpenAI has no word for.
    recorded = TOOL_STREAM.replace(b'"caller":{"type":"direct"},', b"")
    assert _blocks(ours)[1:-2] == _blocks(recorded)[1:-2]
    (_, delta) = sse_events(_blocks(ours)[-2])[0]
    assert delta["delta"]["stop_reason"] == "tool_use"
    assert delta["usage"] == {
        "input_tokens": 377,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 65,
    }


def test_thinking_recording() -> None:
    recorded = [json.loads(line) for line in THINKING_STREAM_DATA]
    thinking = [
        e["delta"]["thinking"]
        for e in recorded
        if e.get("delta", {}).get("type") == "thinking_delta"
    ]
    text = [e["delta"]["text"] for e in recorded if e.get("delta", {}).get("type") == "text_delta"]
    signature = next(
        e["delta"]["signature"]
        for e in recorded
        if e.get("delta", {}).get("type") == "signature_delta"
    )
    chunks = [
        *(chunk(reasoning_content=piece) for piece in thinking if piece),
        # LiteLLM's shape: the signature arrives in thinking_blocks beside the reasoning text.
        chunk(thinking_blocks=[{"type": "thinking", "thinking": "", "signature": signature}]),
        *(chunk(content=piece) for piece in text),
        chunk("stop"),
    ]
    usage = Usage(prompt_tokens=69, completion_tokens=53, total_tokens=122)
    ours = [data for _, data in sse_events(translate_stream(chunks, usage))]
    # Anthropic ends the thinking with an empty thinking_delta, which carries nothing.
    expected = [e for e in recorded if e.get("delta") != {"type": "thinking_delta", "thinking": ""}]
    assert ours[1:-2] == expected[1:-2]
    assert ours[-2]["delta"] == expected[-2]["delta"]
    assert ours[-2]["usage"] == {k: v for k, v in expected[-2]["usage"].items()}
    assert ours[-1] == expected[-1]


def test_blocks_open_and_close_in_order() -> None:
    chunks = [
        chunk(reasoning_content="think"),
        chunk(content="a"),
        chunk(reasoning_content="more"),  # back to thinking: a new block
        chunk(
            tool_calls=[_tool_delta(0, "call_1", "f", '{"x"'), _tool_delta(1, "call_2", "g", "")]
        ),
        chunk(tool_calls=[_tool_delta(0, args=":1}")]),  # late fragment for a closed block
        chunk(tool_calls=[_tool_delta(1, args="{}")]),
        chunk(content="after"),
        chunk("tool_calls"),
    ]
    events = sse_events(translate_stream(chunks))
    names = [name for name, _ in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    assert names.count("ping") == 1 and names.index("ping") == 2
    starts = [
        (d["index"], d["content_block"]["type"]) for n, d in events if n == "content_block_start"
    ]
    stops = [d["index"] for n, d in events if n == "content_block_stop"]
    assert starts == [
        (0, "thinking"),
        (1, "text"),
        (2, "thinking"),
        (3, "tool_use"),
        (4, "tool_use"),
        (5, "text"),
    ]
    assert stops == [0, 1, 2, 3, 4, 5]
    # Every block is stopped after its start and before the next one starts.
    open_blocks: set[int] = set()
    for name, data in events:
        if name == "content_block_start":
            assert not open_blocks
            open_blocks.add(data["index"])
        elif name == "content_block_stop":
            open_blocks.remove(data["index"])
    json_by_index: dict[int, str] = {}
    for name, data in events:
        if name == "content_block_delta" and data["delta"]["type"] == "input_json_delta":
            json_by_index[data["index"]] = (
                json_by_index.get(data["index"], "") + data["delta"]["partial_json"]
            )
    assert json_by_index == {3: '{"x":1}', 4: "{}"}


def test_tool_name_arriving_late_and_reused_indexes() -> None:
    chunks = [
        chunk(
            tool_calls=[
                {"index": 0, "id": "call_a", "type": "function", "function": {"arguments": '{"q":'}}
            ]
        ),
        chunk(tool_calls=[{"index": 0, "function": {"name": "search", "arguments": '"x"}'}}]),
        # A provider that numbers every call 0: told apart by the new id.
        chunk(
            tool_calls=[
                {
                    "index": 0,
                    "id": "call_b",
                    "type": "function",
                    "function": {"name": "s2", "arguments": "{}"},
                }
            ]
        ),
        # No index at all: the position in the list is used.
        chunk(
            tool_calls=[
                {"id": "call_c", "type": "function", "function": {"name": "s3", "arguments": "{}"}}
            ],
            choice_extra={},
        ),
        chunk("stop"),
    ]
    events = sse_events(translate_stream(chunks))
    starts = [d["content_block"] for n, d in events if n == "content_block_start"]
    assert [(b["id"], b["name"]) for b in starts] == [
        ("call_a", "search"),
        ("call_b", "s2"),
        ("call_c", "s3"),
    ]
    fragments = [d["delta"]["partial_json"] for n, d in events if n == "content_block_delta"]
    assert fragments == ["", '{"q":"x"}', "", "{}", "", "{}"]
    assert events[-2][1]["delta"]["stop_reason"] == "tool_use"  # "stop" with tools → tool_use


def test_a_tool_call_that_never_names_itself_still_gets_a_block() -> None:
    chunks = [
        chunk(tool_calls=[{"index": 0, "function": {"arguments": "{}"}}]),
        chunk("tool_calls"),
    ]
    events = sse_events(translate_stream(chunks))
    start = next(d for n, d in events if n == "content_block_start")
    assert start["content_block"]["name"] == "" and start["content_block"]["id"].startswith(
        "toolu_"
    )


def test_empty_stream_and_finish_rules() -> None:
    translator = AnthropicStreamTranslator("claude-test", message_id="msg_fixed", input_tokens=42)
    assert not translator.started
    out = translator.finish()
    assert translator.started
    events = sse_events(b"".join(out))
    assert [n for n, _ in events] == ["message_start", "message_delta", "message_stop"]
    assert events[0][1]["message"]["id"] == "msg_fixed"
    assert events[0][1]["message"]["usage"]["input_tokens"] == 42
    assert events[1][1] == {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
        "usage": {"output_tokens": 0},
    }
    assert translator.finish() == []
    assert translator.feed(chunk(content="late")) == []


def test_usage_sources() -> None:
    first_usage = Usage(prompt_tokens=9, completion_tokens=0, total_tokens=9)
    from_chunk = Usage(
        prompt_tokens=100,
        completion_tokens=5,
        total_tokens=105,
        prompt_tokens_details=PromptTokensDetails(cached_tokens=60, cache_write_tokens=30),
    )
    events = sse_events(
        translate_stream([chunk(content="x", usage=first_usage), usage_chunk(from_chunk)])
    )
    assert events[0][1]["message"]["usage"]["input_tokens"] == 9
    assert events[-2][1]["usage"] == {
        "input_tokens": 10,
        "cache_creation_input_tokens": 30,
        "cache_read_input_tokens": 60,
        "output_tokens": 5,
    }
    given = Usage(prompt_tokens=1, completion_tokens=2, total_tokens=3)
    events = sse_events(translate_stream([usage_chunk(from_chunk)], given))
    assert events[-2][1]["usage"]["output_tokens"] == 2  # finish(usage) wins


def test_stop_sequence_refusal_redacted_and_other_choices() -> None:
    chunks = [
        chunk(thinking_blocks=[{"type": "redacted_thinking", "data": "EmwK"}, "junk"]),
        chunk(refusal="No."),
        ChatCompletionChunk.from_dict(
            {"id": "c", "choices": [{"index": 1, "delta": {"content": "second choice"}}]}
        ),
        chunk("stop", choice_extra={"stop_sequence": "END"}),
    ]
    events = sse_events(translate_stream(chunks))
    starts = [d["content_block"] for n, d in events if n == "content_block_start"]
    assert starts == [{"type": "redacted_thinking", "data": "EmwK"}, {"type": "text", "text": ""}]
    texts = [d["delta"].get("text") for n, d in events if n == "content_block_delta"]
    assert texts == ["No."]
    assert events[-2][1]["delta"] == {"stop_reason": "stop_sequence", "stop_sequence": "END"}
    assert PING_EVENT == b'event: ping\ndata: {"type": "ping"}\n\n'


def test_finish_reason_mapping_in_streams() -> None:
    for finish, expected in [
        ("length", "max_tokens"),
        ("content_filter", "refusal"),
        (None, "end_turn"),
    ]:
        events = sse_events(translate_stream([chunk(finish, content="x")]))
        assert events[-2][1]["delta"]["stop_reason"] == expected
