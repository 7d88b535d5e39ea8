"""One HTTP/1.1 client connection: an asyncio protocol that writes a request and parses the
response with httptools (llhttp), handing the body over as it arrives.

Why not aiohttp's client: it spent about a quarter of the gateway's CPU per request on
features lockgate never uses (cookies, redirects, proxies, tracing, multipart). This class
does only what an upstream call needs; anything unexpected closes the connection rather
than guessing, so a mis-framed response can never leak into the next request on it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Final, cast

import httptools
from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["ConnectionClosed", "H1Connection", "ResponseHead"]

# A streaming body waiting in memory past this stops reading from the socket until the
# consumer catches up (TCP back-pressure to the upstream), and resumes below the low mark.
_HIGH_WATER: Final = 1024 * 1024
_LOW_WATER: Final = 256 * 1024


class ConnectionClosed(Exception):
    """The connection ended before the response did. ``before_response`` says whether no
    byte of a response had arrived (the request may be retried on a fresh connection)."""

    def __init__(self, message: str, *, before_response: bool) -> None:
        super().__init__(message)
        self.before_response = before_response


class MalformedResponse(Exception):
    """The upstream sent bytes that are not a valid HTTP/1.1 response."""


class ResponseHead:
    __slots__ = ("headers", "keep_alive", "status")

    def __init__(self, status: int, headers: CIMultiDictProxy[str], keep_alive: bool) -> None:
        self.status = status
        self.headers = headers
        self.keep_alive = keep_alive


class H1Connection(asyncio.Protocol):
    """Serves one request at a time. The pool owns it between requests."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.idle_since = time.monotonic()
        self.requests_served = 0
        self._in_flight = False
        self._error: BaseException | None = None
        self._paused = False
        # One timer per connection, not one per wait (a timer costs about as much as the
        # rest of a wait): it fires at ``_timer_at`` and, if the wait then in progress ends
        # later, is armed again for that wait's ``_deadline``.
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._deadline: float | None = None
        self._reset_response()

    def _reset_response(self) -> None:
        self.header_list: list[tuple[str, str]] = []
        self.head: ResponseHead | None = None  # the response's, once it has arrived
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._complete = False
        self._received_any = False
        self._waiter: asyncio.Future[None] | None = None
        self._extra_message = False

    # -- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, but have its methods.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if not self._in_flight:  # bytes nobody asked for: the connection cannot be trusted
            self.close()
            return
        self._received_any = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(MalformedResponse(f"invalid HTTP response: {error}"))
            self.close()
            return
        if self._extra_message:  # a second response to one request: never reuse this
            self.close()
            return
        if self._buffered > _HIGH_WATER and not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost settles the response

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._disarm()
        if not self._in_flight or self._complete:
            return
        if self.head is not None and self._reads_until_close():
            self._complete = True  # a close-delimited body ends with the connection
            self._wake()
            return
        self._fail(
            ConnectionClosed(
                "connection closed by the upstream",
                before_response=not self._received_any,
            )
        )

    # -- httptools callbacks ---------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._complete:
            self._extra_message = True

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_list.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:  # an interim response (103 Early Hints): wait for the real one
            self.header_list = []
            return
        self.head = ResponseHead(
            status,
            CIMultiDictProxy(CIMultiDict(self.header_list)),
            bool(self._parser.should_keep_alive()),
        )
        self._wake()

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)
        self._buffered += len(body)
        self._wake()

    def on_message_complete(self) -> None:
        if self.head is None:  # the end of an interim response
            return
        self._complete = True
        self._wake()

    # -- used by the transport ---------------------------------------------------------------

    def send_request(self, head: bytes, body: bytes | None) -> None:
        assert self._transport is not None
        self._reset_response()
        self._in_flight = True
        if body:
            self._transport.writelines((head, body))
        else:
            self._transport.write(head)

    async def read_chunk(self, wait_s: float | None) -> bytes | None:
        """The body bytes that have arrived (waiting for some), or None at the end."""
        while not self._chunks:
            if self._complete:
                return None
            await self.wait(wait_s)
        chunk = self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)
        self._chunks.clear()
        self._buffered = 0
        if self._paused and self._transport is not None:
            self._paused = False
            self._transport.resume_reading()
        return chunk

    def whole_body(self) -> bytes | None:
        """The whole body when the response has already ended (the usual case for a small
        answer, which arrives with its head): taken at once, without waiting."""
        if not self._complete or self._error is not None:
            return None
        chunks = self._chunks
        body = b"".join(chunks) if len(chunks) != 1 else chunks[0]
        chunks.clear()
        self._buffered = 0
        if self._paused and self._transport is not None:
            self._paused = False
            self._transport.resume_reading()
        return body

    @property
    def reusable(self) -> bool:
        head = self.head
        return (
            not self.closed
            and self._complete
            and head is not None
            and head.keep_alive
            and not self._chunks
        )

    def finish(self) -> None:
        """The response is done with: mark idle (the pool decides whether to keep it)."""
        self._in_flight = False
        self.requests_served += 1
        self.idle_since = time.monotonic()
        self._waiter = None

    def close(self) -> None:
        self.closed = True
        self._disarm()
        if self._transport is not None:
            self._transport.close()

    # -- internals ---------------------------------------------------------------------------

    def _reads_until_close(self) -> bool:
        headers = self.head.headers if self.head is not None else None
        return (
            headers is not None
            and "content-length" not in headers
            and "chunked" not in headers.get("transfer-encoding", "").lower()
        )

    async def wait(self, wait_s: float | None) -> None:
        """Wait for the parser's next event (head, body bytes, end), at most ``wait_s``
        seconds (TimeoutError); a failed connection raises its error."""
        if self._error is not None:
            raise self._error
        loop = self._loop
        waiter = loop.create_future()
        self._waiter = waiter
        if wait_s is not None:
            deadline = self._deadline = loop.time() + wait_s
            if self._timer is None or self._timer_at > deadline:
                self._arm(deadline)
        try:
            await waiter
        finally:
            self._waiter = None
            self._deadline = None
        if self._error is not None:
            raise self._error

    def _arm(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = at
        self._timer = self._loop.call_at(at, self._on_timer)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_timer(self) -> None:
        """The wait in progress times out if this timer was armed for its deadline (or
        later); one that ends later arms the timer again; with none, it stays unarmed."""
        self._timer = None
        deadline = self._deadline
        if deadline is None or self.closed:
            return
        if self._timer_at < deadline:
            self._arm(deadline)
            return
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(TimeoutError())

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, error: BaseException) -> None:
        self._error = error
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
