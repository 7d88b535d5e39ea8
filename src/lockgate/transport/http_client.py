"""The only code in lockgate that opens network connections.

HTTP/1.1 over one keep-alive pool per event loop (``h1_pool``, ``h1_connection``). Every
request passes the egress policy first and every resolved address is checked before it is
dialled; redirects are never followed; connection failures become APIConnectionError and
time-outs APITimeoutError; response bodies are read up to a bound.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Final, NoReturn

from lockgate.errors import APIConnectionError, APITimeoutError, BadRequestError, LockgateError
from lockgate.transport.egress import EgressPolicy
from lockgate.transport.h1_connection import (
    ConnectionClosed,
    H1Connection,
    MalformedResponse,
    ResponseHead,
)
from lockgate.transport.h1_pool import (
    ConnectFailed,
    ConnectionPool,
    ConnectTimeout,
    Target,
    parse_target,
)
from lockgate.transport.messages import Timeouts, UpstreamRequest, UpstreamResponse
from lockgate.transport.resolver import CheckingResolver, Resolver

__all__ = ["HttpTransport", "StreamingResponse"]

DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

# Headers the transport writes itself; a caller's copy is dropped so framing stays ours.
_MANAGED_HEADERS: Final = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_MAX_CACHED_HEADS: Final = 256


class _Decoder:
    """Undoes ``Content-Encoding: gzip`` or ``deflate`` (the only codings lockgate accepts),
    refusing to inflate past ``limit`` bytes (a compression bomb)."""

    def __init__(self, coding: str, limit: int) -> None:
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise APIConnectionError(f"upstream sent unsupported content-encoding {coding!r}")
        self._inflater = zlib.decompressobj(wbits=47)  # gzip or zlib header, detected
        self._limit = limit
        self._size = 0

    def decode(self, data: bytes) -> bytes:
        try:
            out = self._inflater.decompress(data, self._limit - self._size + 1)
        except zlib.error as error:
            raise APIConnectionError("upstream sent a corrupt compressed body") from error
        self._size += len(out)
        if self._size > self._limit or self._inflater.unconsumed_tail:
            raise APIConnectionError(f"upstream response exceeds {self._limit} bytes")
        return out


def _decoder_for(head: ResponseHead, limit: int) -> _Decoder | None:
    coding = head.headers.get("content-encoding", "").strip().lower()
    return None if coding in ("", "identity") else _Decoder(coding, limit)


class StreamingResponse:
    """An open upstream response whose body is read as it arrives."""

    __slots__ = ("_connection", "_decoder", "_timeouts", "headers", "started", "status")

    def __init__(
        self,
        connection: H1Connection,
        head: ResponseHead,
        timeouts: Timeouts,
        started: float,
        max_bytes: int,
    ) -> None:
        self._connection = connection
        self._timeouts = timeouts
        self._decoder = _decoder_for(head, max_bytes)
        self.status = head.status
        self.headers: Mapping[str, str] = head.headers
        self.started = started

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        """Yield body bytes as they arrive; a broken connection raises APIConnectionError."""
        while True:
            try:
                chunk = await self._connection.read_chunk(self._timeouts.read)
            except TimeoutError as exc:
                raise APITimeoutError(
                    f"upstream stream idle for more than {self._timeouts.read:g}s"
                ) from exc
            except (ConnectionClosed, MalformedResponse) as exc:
                raise APIConnectionError(f"upstream stream broke: {type(exc).__name__}") from exc
            if chunk is None:
                return
            if self._decoder is not None:
                chunk = self._decoder.decode(chunk)
                if not chunk:
                    continue
            yield chunk

    async def read_body(self, limit: int = DEFAULT_MAX_RESPONSE_BYTES) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in self.iter_bytes():
            size += len(chunk)
            if size > limit:
                chunks.clear()  # as in HttpTransport._read_all
                raise APIConnectionError(f"upstream response exceeds {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


class HttpTransport:
    """Holds the policy and the per-loop pools. Close it with :meth:`aclose`."""

    def __init__(
        self,
        policy: EgressPolicy,
        *,
        max_connections: int = 1000,
        keepalive_seconds: float = 30.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_idle_per_origin: int = 128,
        dns_resolver: Resolver | None = None,
    ) -> None:
        self.policy = policy
        self._max_idle = max_idle_per_origin
        self._resolver = CheckingResolver(policy, dns_resolver)
        self._max_connections = max_connections
        self._keepalive = keepalive_seconds
        self._max_response_bytes = max_response_bytes
        # One pool per event loop (a connection belongs to the loop that opened it).
        self._pools: dict[asyncio.AbstractEventLoop, ConnectionPool] = {}
        # URLs the (immutable) policy allowed, parsed once: deployments repeat the same URL.
        self._targets: dict[tuple[str, frozenset[str]], Target] = {}
        # Request heads (less the body's length) by their inputs: a deployment's calls
        # repeat the same method, URL and headers, so each is checked and encoded once.
        self._heads: dict[tuple[str, str, tuple[tuple[str, str], ...]], bytes] = {}
        self._tls: ssl.SSLContext | None = None

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    def _pool(self) -> ConnectionPool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None or pool.closed:
            for gone in [lp for lp in self._pools if lp.is_closed()]:
                del self._pools[gone]  # its sockets closed with the loop's transports
            pool = ConnectionPool(
                loop,
                self._resolver,
                self._tls_context,
                max_connections=self._max_connections,
                keepalive_seconds=self._keepalive,
                max_idle_per_origin=self._max_idle,
            )
            self._pools[loop] = pool
        return pool

    def open_connections(self) -> int:
        """Connections open (idle or busy) in the running loop's pool."""
        pool = self._pools.get(asyncio.get_running_loop())
        return 0 if pool is None else pool.open_connections

    def close_idle(self) -> int:
        """Close the idle keep-alive connections of the running loop's pool."""
        pool = self._pools.get(asyncio.get_running_loop())
        return 0 if pool is None else pool.close_idle()

    async def aclose(self) -> None:
        """Close the pool of the running loop (call before the loop ends)."""
        pool = self._pools.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            pool.close()
            await asyncio.sleep(0)  # let the transports run their close callbacks

    def _target(self, request: UpstreamRequest) -> Target:
        key = (request.url, request.extra_allowed_hosts)
        target = self._targets.get(key)
        if target is None:
            self.policy.check_url(request.url, request.extra_allowed_hosts)
            target = parse_target(request.url)
            if len(self._targets) >= 4096:
                self._targets.clear()
            self._targets[key] = target
        return target

    async def _open(
        self,
        pool: ConnectionPool,
        target: Target,
        head: bytes,
        request: UpstreamRequest,
        timeouts: Timeouts,
        deadline: float | None,
    ) -> tuple[H1Connection, ResponseHead]:
        """Send the request and read the response head. A pooled connection the upstream had
        already closed (no byte of a response came back) is retried once on a new one."""
        connection = pool.reuse(target.origin) or await pool.connect(
            target.origin, timeouts.connect
        )
        for attempt in (1, 2):
            reused = connection.requests_served > 0
            try:
                connection.send_request(head, request.body)
                # Wait for the head here (no coroutine of its own: one less per call).
                wait_s = _limit(timeouts.read, deadline)
                while (response := connection.head) is None:
                    await connection.wait(wait_s)
                return connection, response
            except ConnectionClosed as closed:
                pool.discard(connection)
                if not (attempt == 1 and reused and closed.before_response):
                    raise
            except BaseException:
                pool.discard(connection)
                raise
            connection = await pool.connect(target.origin, timeouts.connect)
        raise AssertionError("unreachable")

    def _head(self, request: UpstreamRequest, target: Target) -> bytes:
        # The URL stands for the target (a target is parsed from it alone).
        key = (request.method, request.url, tuple(request.headers.items()))
        try:
            start = self._heads.get(key)
        except TypeError:  # a header value that is not a string: not kept
            return _request_head(request, target)
        if start is None:
            start = _request_head_start(request, target)
            if len(self._heads) >= _MAX_CACHED_HEADS:
                self._heads.clear()
            self._heads[key] = start
        return _with_length(start, request.body)

    async def send(self, request: UpstreamRequest, timeouts: Timeouts) -> UpstreamResponse:
        """Send a request and read the whole (bounded) body."""
        target = self._target(request)
        head = self._head(request, target)
        pool = self._pool()
        started = time.perf_counter()
        deadline = None if timeouts.total is None else time.monotonic() + timeouts.total
        try:
            connection, response = await self._open(pool, target, head, request, timeouts, deadline)
            try:
                body = self._arrived_body(connection, response)
                if body is None:
                    body = await self._read_all(connection, response, timeouts, deadline)
            except BaseException:
                pool.discard(connection)
                raise
            pool.release(target.origin, connection)
            return UpstreamResponse(
                response.status, response.headers, body, time.perf_counter() - started
            )
        except LockgateError:
            raise
        except Exception as exc:
            raise _map_exception(exc, target, timeouts) from exc

    def _arrived_body(self, connection: H1Connection, head: ResponseHead) -> bytes | None:
        """The whole body if it has arrived already (a small answer comes with its head),
        without waiting; None: read it with :meth:`_read_all`."""
        limit = self._max_response_bytes
        headers = head.headers
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise APIConnectionError(f"upstream response of {declared} bytes exceeds {limit}")
        if "content-encoding" in headers:
            return None
        body = connection.whole_body()
        if body is not None and len(body) > limit:
            raise APIConnectionError(f"upstream response exceeds {limit} bytes")
        return body

    async def _read_all(
        self,
        connection: H1Connection,
        head: ResponseHead,
        timeouts: Timeouts,
        deadline: float | None,
    ) -> bytes:
        limit = self._max_response_bytes
        declared = head.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise APIConnectionError(f"upstream response of {declared} bytes exceeds {limit}")
        decoder = _decoder_for(head, limit)
        chunks: list[bytes] = []
        size = 0
        while (chunk := await connection.read_chunk(_limit(timeouts.read, deadline))) is not None:
            if decoder is not None:
                chunk = decoder.decode(chunk)
            size += len(chunk)
            if size > limit:
                # Free what was read now: the error's traceback keeps this frame (and the
                # list) alive while the router retries, so each attempt would hold another
                # `limit` bytes.
                chunks.clear()
                raise APIConnectionError(f"upstream response exceeds {limit} bytes")
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    @asynccontextmanager
    async def stream(
        self, request: UpstreamRequest, timeouts: Timeouts
    ) -> AsyncIterator[StreamingResponse]:
        """Open a request whose body is consumed incrementally. Leaving the block closes the
        connection unless the body was read to its end, which cancels the upstream request."""
        target = self._target(request)
        head = self._head(request, target)
        pool = self._pool()
        started = time.perf_counter()
        try:
            connection, response = await self._open(pool, target, head, request, timeouts, None)
        except LockgateError:
            raise
        except Exception as exc:
            raise _map_exception(exc, target, timeouts) from exc
        try:
            yield StreamingResponse(
                connection, response, timeouts, started, self._max_response_bytes
            )
        finally:
            pool.release(target.origin, connection)  # closes it unless fully read


def _limit(read: float, deadline: float | None) -> float:
    """The wait allowed for the next read: the read time-out, cut short by the deadline."""
    if deadline is None:
        return read
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError()
    return min(read, remaining)


def _unsafe(text: str) -> bool:
    return "\r" in text or "\n" in text or "\0" in text


def _request_head(request: UpstreamRequest, target: Target) -> bytes:
    """The whole request head."""
    return _with_length(_request_head_start(request, target), request.body)


def _with_length(start: bytes, body: bytes | None) -> bytes:
    """A head's start, its body's length (when it has a body) and the blank line."""
    if body is None:
        return start + b"\r\n"
    return b"%sContent-Length: %d\r\n\r\n" % (start, len(body))


def _request_head_start(request: UpstreamRequest, target: Target) -> bytes:
    """The request line, Host and the caller's header fields (not the length, not the
    blank line that ends the head)."""
    headers = request.headers
    lines = [
        f"{name}: {value}\r\n"
        for name, value in headers.items()
        if name.lower() not in _MANAGED_HEADERS
    ]
    fields = "".join(lines)
    # Checked on the joined lines (each ends in exactly one CRLF): any other CR or LF, a NUL,
    # or a colon in a name came from a header and could add a header or split the request.
    count = len(lines)
    if (
        fields.count("\n") != count
        or fields.count("\r") != count
        or "\0" in fields
        or ":" in "".join(headers)
    ):
        _refuse_unsafe_header(headers)
    return (
        f"{request.method} {target.path} HTTP/1.1\r\nHost: {target.origin.host_header}\r\n{fields}"
    ).encode()


def _refuse_unsafe_header(headers: Mapping[str, str]) -> NoReturn:
    """Raise for the first header that cannot be written as it is."""
    for name, value in headers.items():
        if name.lower() in _MANAGED_HEADERS:
            continue
        if _unsafe(name) or _unsafe(value) or ":" in name:
            raise BadRequestError(f"header {name[:40]!r} contains a line break or a colon")
    raise BadRequestError("a header contains a line break or a colon")


def _map_exception(exc: Exception, target: Target, timeouts: Timeouts) -> LockgateError:
    host = target.origin.host or "?"
    if isinstance(exc, ConnectTimeout):
        return APITimeoutError(f"connecting to {host} timed out after {timeouts.connect:g}s")
    if isinstance(exc, TimeoutError):
        return APITimeoutError(f"request to {host} timed out")
    if isinstance(exc, ssl.SSLError):
        return APIConnectionError(f"TLS with {host} failed: {exc.reason or type(exc).__name__}")
    if isinstance(exc, ConnectFailed):
        return APIConnectionError(f"cannot connect to {host}: {exc.strerror or 'refused'}")
    if isinstance(exc, ConnectionClosed):
        return APIConnectionError(f"connection to {host} failed: the upstream closed it")
    if isinstance(exc, MalformedResponse):
        return APIConnectionError(f"connection to {host} failed: invalid HTTP response")
    return APIConnectionError(f"connection to {host} failed: {type(exc).__name__}")
