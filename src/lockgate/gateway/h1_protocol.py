"""The gateway's own HTTP/1.1 server connection (httptools), run inside uvicorn's server.

uvicorn still owns the process: the listening sockets, worker processes, signals, lifespan,
the Date header and graceful shutdown. This protocol replaces its per-connection code, which
was about a fifth of the gateway's CPU: it builds a lean ASGI scope, writes each response
head together with its first body part, arms one lazy timer per connection instead of one
per request, and keeps only what the gateway needs (no WebSocket upgrade, no access log of
its own).

Bounds: a request head over 128 KiB or 200 fields gets 431 and the connection is closed (the
gateway's own, lower limits answer 431 in the API's error shape first); a head not complete
within the keep-alive timeout closes the connection (slow clients cannot hold it); a request
body is buffered only up to 256 KiB before reading pauses until the application takes it;
pipelined requests are answered in order, one at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any, cast
from urllib.parse import unquote

import httptools
import orjson

from lockgate.gateway.asgi_types import Scope
from lockgate.gateway.h1_cycle import RequestCycle, status_line

__all__ = ["GatewayHttpProtocol"]

MAX_HEAD_BYTES = 128 * 1024
MAX_HEADER_FIELDS = 200
BODY_HIGH_WATER = 256 * 1024
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_METHODS = {m.encode(): m for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")}
_ASGI = {"version": "3.0", "spec_version": "2.3"}
_log = logging.getLogger("lockgate.server")


class GatewayHttpProtocol(asyncio.Protocol):
    """One client connection. Constructed by uvicorn as ``http_protocol_class``."""

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if not config.loaded:
            config.load()
        self.app = config.loaded_app
        self.loop = _loop or asyncio.get_event_loop()
        self.server_state = server_state
        self.app_state = app_state
        self.idle_timeout = float(config.timeout_keep_alive)
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self._server: tuple[str, int] | None = None
        self._client: tuple[str, int] | None = None
        self._scheme = "http"
        # Request being parsed (its head, then its body), request being served, and
        # pipelined requests waiting for their turn.
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._head_bytes = 0
        self._head_started: float | None = None
        self._head_too_large = False
        self._expect_continue = False
        self.parsing: RequestCycle | None = None
        self.active: RequestCycle | None = None
        self.queue: deque[RequestCycle] = deque()
        self._newest: RequestCycle | None = None
        self._upgraded = False
        # Connection state.
        self.closed = False
        self.closing = False
        self._reading_paused = False
        self._writing_paused = False
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._last_active = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._defaults_source: object = None
        self._defaults = b""
        # A task that has served a request and waits for the next (and what it waits on).
        self._idle: tuple[asyncio.Task[None], asyncio.Future[RequestCycle | None]] | None = None

    # --- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.server_state.connections.add(self)
        self._server = _address(transport.get_extra_info("sockname"))
        self._client = _address(transport.get_extra_info("peername"))
        if transport.get_extra_info("sslcontext") is not None:
            self._scheme = "https"
        self._last_active = self.loop.time()
        self._timer = self.loop.call_later(self.idle_timeout, self._on_timer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.server_state.connections.discard(self)
        for cycle in (self.active, self.parsing, *self.queue):
            if cycle is not None:
                cycle.mark_disconnected()
        self.queue.clear()
        self._wake_drain_waiters()
        self._hand_over(None)  # a task waiting for a next request ends
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def eof_received(self) -> bool | None:
        return None  # the client closed its side: close the connection

    def data_received(self, data: bytes) -> None:
        if self._upgraded:
            return  # bytes of a protocol this server does not speak
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # The request itself was complete; what follows is not HTTP/1.1. Answer it,
            # then close.
            self._upgraded = True
            if self._newest is not None:
                self._newest.keep_alive = False
            self._pause_reading()
        except httptools.HttpParserError:
            self._refuse(400, "invalid HTTP request")
            return
        # The head's bounds are checked once per read rather than per field: what one read
        # can add past them is bounded by the read size.
        if (
            self._head_too_large
            or self._head_bytes > MAX_HEAD_BYTES
            or len(self._headers) > MAX_HEADER_FIELDS
        ):
            self._refuse(431, "request head is too large")

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        self._wake_drain_waiters()

    # --- httptools callbacks -------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._head_bytes = 0
        self._expect_continue = False
        self._head_started = self.loop.time()

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._head_bytes += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        # Called for every field: the bounds are checked per read (data_received) and when
        # the head is complete, not here.
        self._head_bytes += len(name) + len(value)
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self._expect_continue = True
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._head_started = None
        if self._head_bytes > MAX_HEAD_BYTES or len(self._headers) > MAX_HEADER_FIELDS:
            self._head_too_large = True
        if self._head_too_large or (self.closing and self.active is None):
            return
        parser = self.parser
        raw_method = parser.get_method()
        method = _METHODS.get(raw_method) or raw_method.decode("ascii")
        raw_url = self._url
        if raw_url[:1] == b"/" and b"?" not in raw_url and b"#" not in raw_url:
            raw_path, query = raw_url, b""  # the usual origin-form path: nothing to split
        else:
            url = httptools.parse_url(raw_url)
            raw_path, query = url.path or b"/", url.query or b""
        path = raw_path.decode("latin-1")
        if "%" in path:
            path = unquote(path)
        version = parser.get_http_version()
        scope: Scope = {
            "type": "http",
            "asgi": _ASGI,
            "http_version": version,
            "server": self._server,
            "client": self._client,
            "scheme": self._scheme,
            "method": method,
            "root_path": "",
            "path": path,
            "raw_path": raw_path,
            "query_string": query,
            "headers": self._headers,
            "state": self.app_state.copy() if self.app_state else {},
        }
        cycle = RequestCycle(
            self,
            scope,
            parser.should_keep_alive() and not self.closing,
            self._expect_continue,
            version == "1.0",
        )
        self.parsing = self._newest = cycle
        if self.active is None:
            self._start(cycle)
        else:
            self.queue.append(cycle)
            self._pause_reading()

    def on_body(self, body: bytes) -> None:
        cycle = self.parsing
        if cycle is None or cycle.response_complete:
            return  # answered already (e.g. 413): the rest is discarded
        cycle.feed_body(body)
        if cycle.buffered > BODY_HIGH_WATER:
            self._pause_reading()

    def on_message_complete(self) -> None:
        cycle, self.parsing = self.parsing, None
        if cycle is not None:
            cycle.finish_body()

    # --- what a RequestCycle asks of its connection ----------------------------------------

    def write(self, data: bytes) -> None:
        if not self.closed and self.transport is not None:
            self.transport.write(data)

    def write_continue(self) -> None:
        self.write(_CONTINUE)

    async def drained(self) -> None:
        """Wait while the client is slower than the response (transport buffer full)."""
        if self._writing_paused and not self.closed:
            waiter: asyncio.Future[None] = self.loop.create_future()
            self._drain_waiters.append(waiter)
            await waiter

    def resume_body(self) -> None:
        """The application took buffered body bytes: read more, unless requests queue."""
        if self._reading_paused and not self.queue and not self._upgraded:
            cycle = self.parsing
            if cycle is None or cycle.buffered <= BODY_HIGH_WATER:
                self._resume_reading()

    def default_header_lines(self) -> bytes:
        """uvicorn's default headers (the Date, refreshed every second) as header lines."""
        source = self.server_state.default_headers
        if source is not self._defaults_source:
            self._defaults_source = source
            self._defaults = b"".join(name + b": " + value + b"\r\n" for name, value in source)
        return self._defaults

    def response_finished(self, cycle: RequestCycle) -> None:
        self.server_state.total_requests += 1
        self.active = None
        if self.closed:
            return
        if not cycle.keep_alive or not cycle.body_complete:
            # Closing also discards a request body the application chose not to read.
            self._close()
            return
        if self.queue:
            self._start(self.queue.popleft())
            if not self.queue:
                self.resume_body()
            return
        if self.closing:
            self._close()
            return
        self._last_active = self.loop.time()
        self.resume_body()

    # --- uvicorn's graceful shutdown -------------------------------------------------------

    def shutdown(self) -> None:
        """Stop after the response in progress (requests not yet started are dropped)."""
        self.closing = True
        self.queue.clear()
        if self.active is None:
            self._close()
        else:
            self.active.keep_alive = False

    # --- internals -------------------------------------------------------------------------

    def _start(self, cycle: RequestCycle) -> None:
        self.active = cycle
        task = self._hand_over(cycle)
        if task is None:  # none waits (the first request, or one still finishes its own)
            task = self.loop.create_task(self._serve_requests(cycle))
        # In uvicorn's tasks while it serves a request (graceful shutdown waits for those).
        self.server_state.tasks.add(task)

    def _hand_over(self, cycle: RequestCycle | None) -> asyncio.Task[None] | None:
        """Give ``cycle`` (None: the connection is gone) to the task waiting for a next
        request, if one waits; returns that task."""
        idle, self._idle = self._idle, None
        if idle is None or idle[1].done():
            return None
        idle[1].set_result(cycle)
        return idle[0]

    async def _serve_requests(self, cycle: RequestCycle) -> None:
        """Serve ``cycle``, then wait for this connection's next request and serve it too:
        a task serves one request after another (waking a waiting task costs far less than
        making a new one). A request that comes while the task still finishes the previous
        one (its log, its spend record) gets a task of its own, so it never waits for it."""
        task = asyncio.current_task(self.loop)
        assert task is not None
        tasks = self.server_state.tasks
        app = self.app
        try:
            while True:
                # The request, served here rather than in a coroutine of its own (one less
                # per request).
                try:
                    await app(cycle.scope, cycle.receive, cycle.send)
                except Exception as exc:  # the gateway's app handles its own errors: a bug
                    _log.error("unhandled %s in the application", type(exc).__name__)
                finally:
                    if not cycle.response_complete:
                        self._unfinished(cycle)
                if self.active is cycle:  # not answered nor cut off: never left active
                    self.active = None
                    self._close()
                tasks.discard(task)
                if self.closed or self._idle is not None:
                    return  # the connection is gone, or another task waits already
                waiter: asyncio.Future[RequestCycle | None] = self.loop.create_future()
                self._idle = (task, waiter)
                next_cycle = await waiter
                if next_cycle is None:
                    return
                cycle = next_cycle
        finally:
            tasks.discard(task)
            if self._idle is not None and self._idle[0] is task:
                self._idle = None

    def _unfinished(self, cycle: RequestCycle) -> None:
        """The application returned without completing its response."""
        if cycle.response_started or cycle.disconnected:
            self._close()  # a response cut short cannot be completed
            self.active = None
        else:
            payload = {
                "error": {
                    "message": "internal error",
                    "type": "internal_server_error",
                    "param": None,
                    "code": None,
                }
            }
            cycle.answer(500, orjson.dumps(payload))

    def _refuse(self, status: int, message: str) -> None:
        """Answer a request the parser refused, then close; or, if another request is being
        served, close once it is answered."""
        self.queue.clear()
        self._pause_reading()
        self._upgraded = True  # parse nothing more on this connection
        if self.active is not None:
            self.active.keep_alive = False
            return
        body = orjson.dumps(
            {"error": {"message": message, "type": "invalid_request_error", "param": None}}
        )
        self.write(
            status_line(status)
            + b"content-type: application/json\r\ncontent-length: "
            + str(len(body)).encode()
            + b"\r\nconnection: close\r\n"
            + self.default_header_lines()
            + b"\r\n"
            + body
        )
        self._close()

    def _close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _pause_reading(self) -> None:
        if not self._reading_paused and self.transport is not None and not self.closed:
            self._reading_paused = True
            self.transport.pause_reading()

    def _resume_reading(self) -> None:
        if self._reading_paused and self.transport is not None and not self.closed:
            self._reading_paused = False
            self.transport.resume_reading()

    def _wake_drain_waiters(self) -> None:
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _on_timer(self) -> None:
        """One timer per connection, re-armed when it fires (cheaper than one per request):
        closes a connection idle for the keep-alive timeout, or one whose request head has
        not arrived whole within it."""
        self._timer = None
        if self.closed:
            return
        now = self.loop.time()
        deadline = now + self.idle_timeout
        if self._head_started is not None:
            if now - self._head_started >= self.idle_timeout:
                self._close()
                return
            deadline = self._head_started + self.idle_timeout
        elif self.active is None and self.parsing is None:
            if now - self._last_active >= self.idle_timeout:
                self._close()
                return
            deadline = self._last_active + self.idle_timeout
        self._timer = self.loop.call_at(deadline, self._on_timer)


def _address(value: object) -> tuple[str, int] | None:
    if isinstance(value, tuple) and len(value) >= 2:
        return str(value[0]), int(value[1])
    return None
