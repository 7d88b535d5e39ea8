"""SSE and NDJSON framing: split frames, every line ending, comments, bounds."""

from __future__ import annotations

import pytest

from lockgate.errors import APIConnectionError
from lockgate.transport.framing import NDJSONDecoder, SSEDecoder, StreamEvent


def feed_all(decoder: SSEDecoder | NDJSONDecoder, pieces: list[bytes]) -> list[StreamEvent]:
    events: list[StreamEvent] = []
    for piece in pieces:
        events.extend(decoder.feed(piece))
    events.extend(decoder.close())
    return events


OPENAI_STREAM = (
    b'data: {"id":"a","choices":[{"delta":{"content":"Hel"}}]}\n\n'
    b'data: {"id":"a","choices":[{"delta":{"content":"lo"}}]}\n\n'
    b"data: [DONE]\n\n"
)


def test_whole_stream_in_one_read() -> None:
    events = feed_all(SSEDecoder(), [OPENAI_STREAM])
    assert [e.data for e in events][-1] == b"[DONE]"
    assert len(events) == 3
    assert events[0].event is None


@pytest.mark.parametrize("size", [1, 2, 3, 7, 16])
def test_any_split_gives_the_same_events(size: int) -> None:
    pieces = [OPENAI_STREAM[i : i + size] for i in range(0, len(OPENAI_STREAM), size)]
    assert feed_all(SSEDecoder(), pieces) == feed_all(SSEDecoder(), [OPENAI_STREAM])


def test_crlf_separators_as_gemini_sends_them() -> None:
    raw = b'data: {"a":1}\r\n\r\ndata: {"a":2}\r\n\r\n'
    events = feed_all(SSEDecoder(), [raw[:14], raw[14:15], raw[15:]])
    assert [e.data for e in events] == [b'{"a":1}', b'{"a":2}']


def test_crlf_split_between_cr_and_lf() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"x":1}\r') == []
    assert decoder.feed(b"\n\r") == []
    assert [e.data for e in decoder.feed(b"\n")] == [b'{"x":1}']


def test_lone_cr_line_endings() -> None:
    events = feed_all(SSEDecoder(), [b"data: one\r\rdata: two\r\r"])
    assert [e.data for e in events] == [b"one", b"two"]


def test_event_names_and_keepalive_comments() -> None:
    raw = (
        b": keep-alive\n\n"
        b"event: message_start\n"
        b'data: {"type":"message_start"}\n\n'
        b": ping\n"
        b"event: ping\ndata: {}\n\n"
    )
    events = feed_all(SSEDecoder(), [raw])
    assert [(e.event, e.data) for e in events] == [
        ("message_start", b'{"type":"message_start"}'),
        ("ping", b"{}"),
    ]


def test_multiline_data_joined_with_newline_and_no_space_variant() -> None:
    events = feed_all(SSEDecoder(), [b"data:first\ndata: second\n\n"])
    assert events == [StreamEvent(None, b"first\nsecond")]


def test_event_without_data_is_not_dispatched() -> None:
    assert feed_all(SSEDecoder(), [b"event: lonely\n\ndata: x\n\n"]) == [StreamEvent(None, b"x")]


def test_final_event_without_trailing_blank_line_is_kept() -> None:
    assert feed_all(SSEDecoder(), [b"data: last"]) == [StreamEvent(None, b"last")]


def test_anthropic_padding_is_left_for_the_json_parser() -> None:
    events = feed_all(SSEDecoder(), [b'event: x\ndata: {"a":1}  \n\n'])
    assert events[0].data == b'{"a":1}  '


def test_oversized_line_is_refused() -> None:
    decoder = SSEDecoder(max_event_bytes=64)
    with pytest.raises(APIConnectionError):
        decoder.feed(b"data: " + b"x" * 100)


def test_oversized_event_across_lines_is_refused() -> None:
    decoder = SSEDecoder(max_event_bytes=64)
    with pytest.raises(APIConnectionError):
        decoder.feed(b"data: " + b"x" * 40 + b"\n" + b"data: " + b"y" * 40 + b"\n")


def test_ndjson_lines_split_anywhere_and_blank_lines_skipped() -> None:
    raw = b'{"done":false}\n\n{"done":true}\n'
    pieces = [raw[i : i + 5] for i in range(0, len(raw), 5)]
    assert [e.data for e in feed_all(NDJSONDecoder(), pieces)] == [
        b'{"done":false}',
        b'{"done":true}',
    ]


def test_ndjson_last_line_without_newline() -> None:
    assert [e.data for e in feed_all(NDJSONDecoder(), [b'{"a":1}\n{"b":2}'])] == [
        b'{"a":1}',
        b'{"b":2}',
    ]
