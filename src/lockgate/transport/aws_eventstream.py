"""AWS event-stream framing (Bedrock ConverseStream), decoded incrementally and CRC-checked.

Each message on the wire (all integers big-endian, CRC-32 as :func:`zlib.crc32`)::

    [total length: 4][headers length: 4][prelude CRC: 4]   prelude CRC = crc32(first 8 bytes)
    [headers: name length 1, name, value type 1, value ...]
    [payload]
    [message CRC: 4]                                       crc32(every byte before it)

The decoder yields one :class:`StreamEvent` per message: ``event`` is the ``:event-type``
header for ``:message-type: event``, the ``:exception-type`` for ``:message-type:
exception`` (payload ``{"message": ...}`` as AWS sends it), and the ``:error-code`` for
``:message-type: error`` (whose message travels in a header; the payload is rebuilt as
``{"message": ...}``). Sizes are bounded as botocore bounds them (headers 128 KiB,
payload 24 MiB); a bad CRC or an impossible length ends the stream with
:class:`~lockgate.errors.APIConnectionError`.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping

import orjson

from lockgate.errors import APIConnectionError
from lockgate.transport.framing import StreamEvent

__all__ = [
    "MAX_HEADERS_BYTES",
    "MAX_PAYLOAD_BYTES",
    "AwsEventStreamDecoder",
    "decode_headers",
    "encode_message",
]

MAX_HEADERS_BYTES = 128 * 1024
MAX_PAYLOAD_BYTES = 24 * 1024 * 1024
_PRELUDE = 12  # total length, headers length, prelude CRC
_MIN_MESSAGE = _PRELUDE + 4  # plus the message CRC

_STRING = 7
# Header value type -> fixed size in bytes (None: 2-byte length prefix, then the bytes).
_VALUE_SIZES: dict[int, int | None] = {
    0: 0,  # bool true
    1: 0,  # bool false
    2: 1,  # byte
    3: 2,  # short
    4: 4,  # integer
    5: 8,  # long
    6: None,  # byte array
    7: None,  # string
    8: 8,  # timestamp (ms since epoch)
    9: 16,  # uuid
}
HeaderValue = str | bytes | int | bool


def decode_headers(raw: bytes) -> dict[str, HeaderValue]:
    """The headers block of one message; strings decoded, other values kept as they are."""
    headers: dict[str, HeaderValue] = {}
    pos, end = 0, len(raw)
    try:
        while pos < end:
            name_len = raw[pos]
            name = raw[pos + 1 : pos + 1 + name_len].decode("utf-8")
            pos += 1 + name_len
            kind = raw[pos]
            pos += 1
            if kind not in _VALUE_SIZES:
                raise APIConnectionError(f"event-stream header {name!r} has unknown type {kind}")
            size = _VALUE_SIZES[kind]
            if size is None:
                (length,) = struct.unpack_from(">H", raw, pos)
                pos += 2
                value = raw[pos : pos + length]
                if len(value) != length:
                    raise IndexError(name)
                pos += length
                headers[name] = value.decode("utf-8") if kind == _STRING else value
            elif size == 0:
                headers[name] = kind == 0
            else:
                chunk = raw[pos : pos + size]
                if len(chunk) != size:
                    raise IndexError(name)
                pos += size
                headers[name] = int.from_bytes(chunk, "big", signed=kind != 9)
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise APIConnectionError("upstream sent malformed event-stream headers") from exc
    return headers


def _event_of(headers: Mapping[str, HeaderValue], payload: bytes) -> StreamEvent:
    kind = headers.get(":message-type", "event")
    if kind == "exception":
        name = headers.get(":exception-type")
        return StreamEvent(name if isinstance(name, str) else "exception", payload)
    if kind == "error":
        code = headers.get(":error-code")
        message = headers.get(":error-message")
        body = orjson.dumps({"message": message if isinstance(message, str) else ""})
        return StreamEvent(code if isinstance(code, str) else "error", body)
    event_type = headers.get(":event-type")
    return StreamEvent(event_type if isinstance(event_type, str) else None, payload)


class AwsEventStreamDecoder:
    """Bytes as they come off the socket in, one event per complete message out."""

    __slots__ = ("_buffer", "_max_headers", "_max_payload")

    def __init__(
        self, max_headers_bytes: int = MAX_HEADERS_BYTES, max_payload_bytes: int = MAX_PAYLOAD_BYTES
    ) -> None:
        self._buffer = bytearray()
        self._max_headers = max_headers_bytes
        self._max_payload = max_payload_bytes

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        buf = self._buffer
        buf += chunk
        events: list[StreamEvent] = []
        start = 0
        while len(buf) - start >= _PRELUDE:
            total, headers_len, prelude_crc = struct.unpack_from(">III", buf, start)
            if zlib.crc32(buf[start : start + 8]) != prelude_crc:
                raise APIConnectionError("upstream event-stream prelude CRC mismatch")
            payload_len = total - _MIN_MESSAGE - headers_len
            if headers_len > self._max_headers:
                raise APIConnectionError(
                    f"upstream event-stream headers of {headers_len} bytes exceed "
                    f"{self._max_headers}"
                )
            if payload_len < 0:
                raise APIConnectionError("upstream event-stream message length is invalid")
            if payload_len > self._max_payload:
                raise APIConnectionError(
                    f"upstream event-stream payload of {payload_len} bytes exceeds "
                    f"{self._max_payload}"
                )
            if len(buf) - start < total:
                break  # wait for the rest of this message
            end = start + total
            (message_crc,) = struct.unpack_from(">I", buf, end - 4)
            if zlib.crc32(buf[start : end - 4]) != message_crc:
                raise APIConnectionError("upstream event-stream message CRC mismatch")
            headers_start = start + _PRELUDE
            headers = decode_headers(bytes(buf[headers_start : headers_start + headers_len]))
            payload = bytes(buf[headers_start + headers_len : end - 4])
            events.append(_event_of(headers, payload))
            start = end
        del buf[:start]
        return events

    def close(self) -> list[StreamEvent]:
        if self._buffer:
            size = len(self._buffer)
            self._buffer.clear()
            raise APIConnectionError(
                f"upstream event stream ended inside a message ({size} bytes left over)"
            )
        return []


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return (
        bytes([len(raw_name)])
        + raw_name
        + bytes([_STRING])
        + struct.pack(">H", len(raw_value))
        + raw_value
    )


def encode_message(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One message with string headers: what AWS sends (used by the mock and tests)."""
    raw_headers = b"".join(_header(k, v) for k, v in headers.items())
    total = _MIN_MESSAGE + len(raw_headers) + len(payload)
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + raw_headers + payload
    return body + struct.pack(">I", zlib.crc32(body))
