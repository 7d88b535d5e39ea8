"""One HTTP/1.1 request on the gateway's own server: its ASGI scope, ``receive`` and ``send``.

``send`` holds the response head until the first body part, so a whole answer leaves in one
``write`` (one system call) instead of two; a response without a ``content-length`` that has
more parts to come is sent chunked.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import TYPE_CHECKING

from lockgate.gateway.asgi_types import Message, Scope

if TYPE_CHECKING:
    from lockgate.gateway.h1_protocol import GatewayHttpProtocol

__all__ = ["RequestCycle", "ResponseProtocolError", "status_line"]


def _status_line(status: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"HTTP/1.1 {status} {phrase}\r\n".encode("latin-1")


_STATUS_LINES = {code: _status_line(code) for code in range(100, 600)}
_DISCONNECT: Message = {"type": "http.disconnect"}
_CHUNKED = b"transfer-encoding: chunked\r\n"
_CLOSE = b"connection: close\r\n"
_LAST_CHUNK = b"0\r\n\r\n"


def status_line(status: int) -> bytes:
    line = _STATUS_LINES.get(status)
    if line is None:
        raise ResponseProtocolError(f"invalid response status {status!r}")
    return line


class ResponseProtocolError(RuntimeError):
    """The application broke the ASGI response protocol (a bug, not a client error)."""


class RequestCycle:
    """The request's body as it arrives, and the response as the application sends it."""

    __slots__ = (
        "_body_sent_final",
        "_chunks",
        "_connection",
        "_pending_head",
        "_waiter",
        "body_complete",
        "buffered",
        "chunked",
        "disconnected",
        "expect_continue",
        "head_request",
        "http10",
        "keep_alive",
        "response_complete",
        "response_started",
        "scope",
    )

    def __init__(
        self,
        connection: GatewayHttpProtocol,
        scope: Scope,
        keep_alive: bool,
        expect_continue: bool,
        http10: bool = False,
    ) -> None:
        self._connection = connection
        self.scope = scope
        self.keep_alive = keep_alive
        self.expect_continue = expect_continue
        self.head_request = scope["method"] == "HEAD"
        self.http10 = http10
        self._chunks: list[bytes] = []
        self.buffered = 0
        self.body_complete = False
        self.disconnected = False
        self._waiter: asyncio.Future[None] | None = None
        self.response_started = False
        self.response_complete = False
        self.chunked = False
        self._pending_head: bytes | None = None
        self._body_sent_final = False

    # --- the request body, fed by the protocol -------------------------------------------

    def feed_body(self, data: bytes) -> None:
        self._chunks.append(data)
        self.buffered += len(data)
        self.wake()

    def finish_body(self) -> None:
        self.body_complete = True
        self.wake()

    def mark_disconnected(self) -> None:
        self.disconnected = True
        self.wake()

    def wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def receive(self) -> Message:
        while True:
            if self.disconnected:
                return _DISCONNECT
            if self._chunks or (self.body_complete and not self._body_sent_final):
                return self._take_body()
            if self._body_sent_final and self.response_complete:
                return _DISCONNECT
            if self.expect_continue and not self.body_complete:
                # The client waits for this before it sends the body.
                self.expect_continue = False
                self._connection.write_continue()
            self._waiter = self._connection.loop.create_future()
            self._connection.resume_body()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def _take_body(self) -> Message:
        chunks = self._chunks
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self._chunks = []
        self.buffered = 0
        more = not self.body_complete
        if not more:
            self._body_sent_final = True
        self._connection.resume_body()
        return {"type": "http.request", "body": body, "more_body": more}

    # --- the response, sent by the application -------------------------------------------

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.body":
            if not self.response_started or self.response_complete:
                raise ResponseProtocolError("response body sent outside a response")
            body: bytes = message.get("body", b"")
            more: bool = message.get("more_body", False)
            self._write_body(body, more)
            if more:
                await self._connection.drained()
            return
        if kind == "http.response.start":
            if self.response_started:
                raise ResponseProtocolError("response started twice")
            self._pending_head = self._head(message)
            self.response_started = True
            return
        raise ResponseProtocolError(f"unexpected ASGI message {kind!r}")

    def _head(self, message: Message) -> bytes:
        status: int = message["status"]
        lines = [
            b"%s: %s\r\n" % (name.lower(), value) for name, value in message.get("headers", ())
        ]
        fields = b"".join(lines)
        # Each line ends in exactly one CRLF; any other CR or LF came from a header name or
        # value and could split the response, so it is refused.
        count = len(lines)
        if fields.count(b"\n") != count or fields.count(b"\r") != count:
            raise ResponseProtocolError("response header contains a line break")
        # A line starts the fields or follows a line break (values hold none: checked above).
        has_length = fields.startswith(b"content-length:") or b"\ncontent-length:" in fields
        head = status_line(status) + fields + self._connection.default_header_lines()
        if not has_length and status >= 200 and status not in (204, 304):
            if self.http10:
                # HTTP/1.0 has no chunked encoding: the body ends when the connection does.
                self.keep_alive = False
            else:
                # Chunked unless the whole body turns out to come in the first part.
                self.chunked = True
        if not self.keep_alive:
            head += _CLOSE
        return head

    def answer(self, status: int, body: bytes) -> None:
        """A whole JSON answer written at once (the server's own 500 after an app failure)."""
        self.response_started = True
        self._pending_head = self._head(
            {"status": status, "headers": [(b"content-type", b"application/json")]}
        )
        self._write_body(body, False)

    def _write_body(self, body: bytes, more: bool) -> None:
        connection = self._connection
        head = self._pending_head
        if head is not None:
            self._pending_head = None
            if self.chunked and not more:
                # The whole body is here: frame it with a length instead of chunks.
                self.chunked = False
                head += b"content-length: " + str(len(body)).encode() + b"\r\n"
            elif self.chunked:
                head += _CHUNKED
            head += b"\r\n"
            if self.head_request:
                connection.write(head)
            else:
                connection.write(head + self._frame(body, more))
        elif not self.head_request:
            framed = self._frame(body, more)
            if framed:
                connection.write(framed)
        if not more:
            self.response_complete = True
            self.wake()  # a receive() waiting for a disconnect now returns one
            connection.response_finished(self)

    def _frame(self, body: bytes, more: bool) -> bytes:
        if not self.chunked:
            return body
        framed = b"%x\r\n%b\r\n" % (len(body), body) if body else b""
        return framed if more else framed + _LAST_CHUNK
