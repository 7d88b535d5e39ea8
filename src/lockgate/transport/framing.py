"""Stream framing: Server-Sent Events and newline-delimited JSON, decoded incrementally.

Both decoders accept bytes exactly as they come off the socket (a frame may be split across
reads, or several frames may arrive in one) and yield :class:`StreamEvent` objects. Every
buffer is bounded so a hostile upstream cannot grow memory without limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from lockgate.errors import APIConnectionError

__all__ = [
    "DEFAULT_MAX_EVENT_BYTES",
    "FrameDecoder",
    "NDJSONDecoder",
    "SSEDecoder",
    "StreamEvent",
]

DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One framed message: SSE ``event:`` name (or AWS event type) and its payload bytes."""

    event: str | None
    data: bytes


class FrameDecoder(Protocol):
    def feed(self, chunk: bytes) -> list[StreamEvent]: ...

    def close(self) -> list[StreamEvent]:
        """End of input: return what a final unterminated frame holds."""
        ...


class _LineSplitter:
    """Splits bytes into lines on ``\\n``, ``\\r\\n`` or ``\\r``, across chunk boundaries."""

    __slots__ = ("_buffer", "_max_bytes")

    def __init__(self, max_bytes: int) -> None:
        self._buffer = bytearray()
        self._max_bytes = max_bytes

    def feed(self, chunk: bytes) -> list[bytes]:
        buf = self._buffer
        buf += chunk
        lines: list[bytes] = []
        start = 0
        end = len(buf)
        while start < end:
            lf = buf.find(b"\n", start)
            cr = buf.find(b"\r", start, lf if lf != -1 else end)
            if cr != -1:
                if cr == end - 1:
                    break  # a lone trailing \r may be the first half of \r\n: wait
                lines.append(bytes(buf[start:cr]))
                start = cr + 2 if buf[cr + 1] == 0x0A else cr + 1
            elif lf != -1:
                lines.append(bytes(buf[start:lf]))
                start = lf + 1
            else:
                break
        del buf[:start]
        if len(buf) > self._max_bytes:
            raise APIConnectionError(
                f"upstream stream frame exceeds {self._max_bytes} bytes without a line end"
            )
        return lines

    def close(self) -> list[bytes]:
        rest = bytes(self._buffer).rstrip(b"\r")
        self._buffer.clear()
        return [rest] if rest else []


class SSEDecoder:
    """The WHATWG event-stream rules: ``data`` lines joined by ``\\n``, comments ignored."""

    __slots__ = ("_data", "_data_size", "_event", "_lines", "_max_bytes")

    def __init__(self, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> None:
        self._lines = _LineSplitter(max_event_bytes)
        self._max_bytes = max_event_bytes
        self._event: str | None = None
        self._data: list[bytes] = []
        self._data_size = 0

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        return self._process(self._lines.feed(chunk))

    def close(self) -> list[StreamEvent]:
        events = self._process(self._lines.close())
        events.extend(self._dispatch())
        return events

    def _process(self, lines: list[bytes]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for line in lines:
            if not line:
                events.extend(self._dispatch())
                continue
            if line[0] == 0x3A:  # ":" starts a comment, used for keep-alives
                continue
            name, sep, value = line.partition(b":")
            if sep and value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                self._data.append(value)
                self._data_size += len(value)
                if self._data_size > self._max_bytes:
                    raise APIConnectionError(
                        f"upstream stream event exceeds {self._max_bytes} bytes"
                    )
            elif name == b"event":
                self._event = value.decode("utf-8", "replace")
            # "id" and "retry" carry nothing lockgate uses.
        return events

    def _dispatch(self) -> list[StreamEvent]:
        if not self._data:
            self._event = None
            return []
        data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
        event = StreamEvent(self._event, data)
        self._event = None
        self._data = []
        self._data_size = 0
        return [event]


class NDJSONDecoder:
    """One JSON document per line (Ollama's native API); blank lines are skipped."""

    __slots__ = ("_lines",)

    def __init__(self, max_line_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> None:
        self._lines = _LineSplitter(max_line_bytes)

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        return [StreamEvent(None, line) for line in self._lines.feed(chunk) if line.strip()]

    def close(self) -> list[StreamEvent]:
        return [StreamEvent(None, line) for line in self._lines.close() if line.strip()]
