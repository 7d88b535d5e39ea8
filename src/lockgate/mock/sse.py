"""Server-Sent Events framing and the paced, breakable stream writer every provider shares."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from aiohttp import web

from lockgate.mock.behaviour import Behaviour

__all__ = [
    "StreamEvent",
    "drop_connection",
    "gemini_data",
    "named_event",
    "sse_data",
    "write_stream",
]

# One SSE event as it goes on the wire, and how many tokens it carries (for pacing).
StreamEvent = tuple[bytes, int]


def sse_data(payload: bytes) -> bytes:
    """`data:` only, `\\n\\n`-terminated: OpenAI Chat and legacy Completions."""
    return b"data: " + payload + b"\n\n"


def named_event(name: bytes, payload: bytes) -> bytes:
    """`event:` + `data:`: Anthropic Messages and OpenAI Responses."""
    return b"event: " + name + b"\ndata: " + payload + b"\n\n"


def gemini_data(payload: bytes) -> bytes:
    """Gemini separates events with CRLF CRLF."""
    return b"data: " + payload + b"\r\n\r\n"


async def write_stream(
    request: web.Request,
    response: web.StreamResponse,
    events: Iterable[StreamEvent],
    behaviour: Behaviour,
    error_event: Callable[[int], bytes],
) -> web.StreamResponse:
    """Send `events`, paced at `tokens_per_second`, broken or failed where scripted.

    `break_after=N` sends N events and then drops the connection without ending the chunked
    body; `stream_error_after=N` sends N events, then the provider's in-stream error event,
    then ends the stream. A stream shorter than N simply completes. `error_event` gets N.
    """
    await response.prepare(request)
    tps = behaviour.tokens_per_second or 0.0
    stop_at = behaviour.break_after
    fail_at = behaviour.stream_error_after
    loop = asyncio.get_running_loop()
    started = loop.time()
    tokens_sent = 0
    # Unpaced streams go out in one write: same bytes, far fewer syscalls under load.
    pending: list[bytes] = []
    try:
        for index, (data, tokens) in enumerate(events):
            if index == stop_at:
                if pending:
                    await response.write(b"".join(pending))
                drop_connection(request)
                return response
            if index == fail_at:
                pending.append(error_event(index))
                break
            if tps and tokens:
                tokens_sent += tokens
                delay = started + tokens_sent / tps - loop.time()
                if delay > 0:
                    if pending:
                        await response.write(b"".join(pending))
                        pending.clear()
                    await asyncio.sleep(delay)
            pending.append(data)
        if pending:
            await response.write(b"".join(pending))
        await response.write_eof()
    except ConnectionError:
        pass  # the client went away; nothing left to send to
    return response


def drop_connection(request: web.Request) -> None:
    """Close the socket now, whatever has been sent: the client sees a dead upstream."""
    # Closing the transport mid-body leaves the chunked encoding unterminated, which is
    # exactly what a client sees when an upstream dies mid-stream.
    transport = request.transport
    if transport is not None:
        transport.close()
