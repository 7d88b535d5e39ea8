"""AWS event-stream framing: the recorded frame, split reads, CRCs, bounds, exceptions."""

from __future__ import annotations

import struct
import zlib

import orjson
import pytest
from tests.providers.bedrock.recordings import FIRST_FRAME_HEX, FRAMES

from lockgate.client.stream import decoder_for
from lockgate.errors import APIConnectionError
from lockgate.providers.base import Framing
from lockgate.transport.aws_eventstream import (
    AwsEventStreamDecoder,
    decode_headers,
    encode_message,
)
from lockgate.transport.framing import StreamEvent

EVENT_HEADERS = {":content-type": "application/json", ":message-type": "event"}


def frame(event_type: str, payload: bytes) -> bytes:
    """A frame with the recording's headers, in the recording's order."""
    return encode_message({":event-type": event_type, **EVENT_HEADERS}, payload)


def decode_all(
    pieces: list[bytes], decoder: AwsEventStreamDecoder | None = None
) -> list[StreamEvent]:
    decoder = decoder or AwsEventStreamDecoder()
    events: list[StreamEvent] = []
    for piece in pieces:
        events.extend(decoder.feed(piece))
    events.extend(decoder.close())
    return events


def test_recorded_first_frame_decodes() -> None:
    raw = bytes.fromhex(FIRST_FRAME_HEX)
    [event] = decode_all([raw])
    assert event.event == "messageStart"
    assert orjson.loads(event.data)["role"] == "assistant"


def test_encoder_reproduces_the_recorded_bytes_and_lengths() -> None:
    _, _, event_type, payload = FRAMES[0]
    assert frame(event_type, payload) == bytes.fromhex(FIRST_FRAME_HEX)
    for total, headers_length, event_type, payload in FRAMES:
        raw = frame(event_type, payload)
        assert struct.unpack(">II", raw[:8]) == (total, headers_length)


def test_whole_recorded_stream_in_awkward_reads() -> None:
    raw = b"".join(frame(e, p) for _, _, e, p in FRAMES)
    for size in (1, 7, 100, len(raw)):
        events = decode_all([raw[i : i + size] for i in range(0, len(raw), size)])
        assert [(e.event, e.data) for e in events] == [(e, p) for _, _, e, p in FRAMES]


def test_several_frames_in_one_read() -> None:
    raw = frame("a", b"{}") + frame("b", b'{"x":1}')
    assert [e.event for e in AwsEventStreamDecoder().feed(raw)] == ["a", "b"]


def test_bad_prelude_crc() -> None:
    raw = bytearray(frame("messageStart", b"{}"))
    raw[8] ^= 0xFF
    with pytest.raises(APIConnectionError, match="prelude CRC"):
        AwsEventStreamDecoder().feed(bytes(raw))


def test_bad_message_crc() -> None:
    raw = bytearray(frame("messageStart", b'{"role":"assistant"}'))
    raw[-6] ^= 0x01  # a payload byte
    with pytest.raises(APIConnectionError, match="message CRC"):
        AwsEventStreamDecoder().feed(bytes(raw))


def test_oversized_frame_is_refused_from_its_prelude() -> None:
    prelude = struct.pack(">II", 100_000_000, 10)
    prelude += struct.pack(">I", zlib.crc32(prelude))
    with pytest.raises(APIConnectionError, match="exceeds"):
        AwsEventStreamDecoder().feed(prelude)  # refused before the payload is awaited


def test_oversized_headers_and_impossible_length() -> None:
    small = AwsEventStreamDecoder(max_headers_bytes=8)
    with pytest.raises(APIConnectionError, match="headers"):
        small.feed(frame("messageStart", b"{}"))
    prelude = struct.pack(">II", 16, 50)  # headers longer than the message
    prelude += struct.pack(">I", zlib.crc32(prelude))
    with pytest.raises(APIConnectionError, match="invalid"):
        AwsEventStreamDecoder().feed(prelude)


def test_payload_bound_is_configurable() -> None:
    with pytest.raises(APIConnectionError, match="payload"):
        AwsEventStreamDecoder(max_payload_bytes=4).feed(frame("x", b"12345"))


def test_stream_ending_inside_a_frame() -> None:
    raw = frame("messageStart", b"{}")
    decoder = AwsEventStreamDecoder()
    assert decoder.feed(raw[:-3]) == []
    with pytest.raises(APIConnectionError, match="ended inside"):
        decoder.close()


def test_exception_and_error_frames() -> None:
    exception = encode_message(
        {
            ":exception-type": "throttlingException",
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        b'{"message":"Too many requests"}',
    )
    error = encode_message(
        {":message-type": "error", ":error-code": "InternalFailure", ":error-message": "boom"}, b""
    )
    first, second = decode_all([exception + error])
    assert first == StreamEvent("throttlingException", b'{"message":"Too many requests"}')
    assert second.event == "InternalFailure"
    assert orjson.loads(second.data) == {"message": "boom"}


def test_header_value_types() -> None:
    raw = (
        b"\x01a\x00"  # bool true
        + b"\x01b\x01"  # bool false
        + b"\x01c\x02\x05"  # byte
        + b"\x01d\x03\x00\x07"  # short
        + b"\x01e\x04\x00\x00\x00\x09"  # int
        + b"\x01f\x05"
        + (10).to_bytes(8, "big")  # long
        + b"\x01g\x06\x00\x02hi"  # bytes
        + b"\x01h\x08"
        + (11).to_bytes(8, "big")  # timestamp
        + b"\x01i\x09"
        + bytes(16)  # uuid
    )
    assert decode_headers(raw) == {
        "a": True,
        "b": False,
        "c": 5,
        "d": 7,
        "e": 9,
        "f": 10,
        "g": b"hi",
        "h": 11,
        "i": 0,
    }
    with pytest.raises(APIConnectionError):
        decode_headers(b"\x01a\x63")  # unknown type
    with pytest.raises(APIConnectionError):
        decode_headers(b"\x05ab")  # truncated


def test_decoder_for_event_stream() -> None:
    assert isinstance(decoder_for(Framing.AWS_EVENTSTREAM), AwsEventStreamDecoder)
