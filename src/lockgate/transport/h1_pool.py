"""Keep-alive connection pool, one per event loop: idle connections per origin, reused most
recent first, closed after ``keepalive_seconds`` idle; at most ``max_connections`` open and
at most ``max_idle_per_origin`` kept idle (after a burst of 1,000 streams, 1,000 idle
sockets and their buffers would otherwise stay for the whole keep-alive time)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from lockgate.transport.h1_connection import H1Connection
from lockgate.transport.resolver import CheckingResolver

__all__ = ["ConnectFailed", "ConnectTimeout", "ConnectionPool", "Origin", "Target", "parse_target"]


# RFC 3986 characters a request-target may carry as they are (unreserved, reserved, and
# "%" of an existing escape); everything else is percent-encoded.
_REQUEST_TARGET_KEEP = "-._~:/?#[]@!$&'()*+,;=%"
_REQUEST_TARGET_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + _REQUEST_TARGET_KEEP
)


class ConnectTimeout(TimeoutError):
    """Opening the connection (resolve, TCP, TLS) took longer than allowed."""


class ConnectFailed(OSError):
    """No address of the host accepted a connection."""


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int
    host_header: str
    # The pool's key for this origin: a string hashes once (a dataclass hashes its fields
    # in Python on every look-up).
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.scheme}://{self.host_header}|{self.port}")

    @property
    def tls(self) -> bool:
        return self.scheme == "https"


@dataclass(frozen=True, slots=True)
class Target:
    origin: Origin
    path: str  # the request-target: path and query


def parse_target(url: str) -> Target:
    parts = urlsplit(url)
    host = parts.hostname or ""
    default_port = 443 if parts.scheme == "https" else 80
    port = parts.port or default_port
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == default_port else f"{shown}:{port}"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    # The request line must be printable ASCII without spaces: anything else (a space or a
    # non-ASCII letter in a configured api_base, a control character) is percent-encoded,
    # so no URL can split the request line or add a header.
    if not _REQUEST_TARGET_SAFE.issuperset(path):
        path = quote(path, safe=_REQUEST_TARGET_KEEP)
    return Target(Origin(parts.scheme, host, port, host_header), path)


class ConnectionPool:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        resolver: CheckingResolver,
        tls_context: Callable[[], ssl.SSLContext],
        *,
        max_connections: int,
        keepalive_seconds: float,
        max_idle_per_origin: int = 128,
    ) -> None:
        self._loop = loop
        self._max_idle = max_idle_per_origin
        self._resolver = resolver
        self._tls_context = tls_context
        self._keepalive = keepalive_seconds
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: dict[str, list[H1Connection]] = {}  # by Origin.key
        self._open: set[H1Connection] = set()
        self._sweep_handle: asyncio.TimerHandle | None = None
        self.closed = False

    @property
    def open_connections(self) -> int:
        return len(self._open)

    async def acquire(self, origin: Origin, connect_timeout: float) -> H1Connection:
        connection = self.reuse(origin)
        if connection is not None:
            return connection
        return await self.connect(origin, connect_timeout)

    def reuse(self, origin: Origin) -> H1Connection | None:
        """An idle connection to ``origin`` that is still usable, if there is one."""
        idle = self._idle.get(origin.key)
        if not idle:
            return None
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if not connection.closed and now - connection.idle_since < self._keepalive:
                return connection
            self.discard(connection)
        return None

    async def connect(self, origin: Origin, connect_timeout: float) -> H1Connection:
        """A new connection (never one from the idle list)."""
        try:
            async with asyncio.timeout(connect_timeout):
                await self._slots.acquire()
                try:
                    connection = await self._dial(origin)
                except BaseException:
                    self._slots.release()
                    raise
        except TimeoutError as error:
            raise ConnectTimeout() from error
        self._open.add(connection)
        return connection

    async def _dial(self, origin: Origin) -> H1Connection:
        try:
            addresses = await self._resolver.resolve(origin.host, origin.port)
        except OSError as error:
            raise ConnectFailed(error.errno, error.strerror or str(error)) from error
        context = self._tls_context() if origin.tls else None
        last: OSError | None = None
        for address in addresses:
            try:
                transport, connection = await self._loop.create_connection(
                    lambda: H1Connection(self._loop),
                    address,
                    origin.port,
                    ssl=context,
                    server_hostname=origin.host if context is not None else None,
                )
            except ssl.SSLError:
                raise  # a TLS failure is not a reason to try the next address
            except OSError as error:
                last = error
                continue
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection
        assert last is not None
        raise ConnectFailed(last.errno, last.strerror or "refused") from last

    def release(self, origin: Origin, connection: H1Connection) -> None:
        """The response was read to its end: keep the connection if it can be reused."""
        connection.finish()
        idle = self._idle.get(origin.key)
        if idle is None:
            idle = self._idle[origin.key] = []
        if self.closed or not connection.reusable or len(idle) >= self._max_idle:
            self.discard(connection)
            return
        idle.append(connection)
        if self._sweep_handle is None:
            self._sweep_handle = self._loop.call_later(self._keepalive, self._sweep)

    def discard(self, connection: H1Connection) -> None:
        connection.close()
        if connection in self._open:
            self._open.discard(connection)
            self._slots.release()

    def _sweep(self) -> None:
        self._sweep_handle = None
        now = time.monotonic()
        for key, idle in list(self._idle.items()):
            keep = [c for c in idle if not c.closed and now - c.idle_since < self._keepalive]
            for connection in idle:
                if connection not in keep:
                    self.discard(connection)
            if keep:
                self._idle[key] = keep
            else:
                del self._idle[key]
        if self._idle:
            self._sweep_handle = self._loop.call_later(self._keepalive / 2, self._sweep)

    def close_idle(self) -> int:
        """Close every idle connection; returns how many. (After a burst the gateway closes
        them once idle: each holds objects allocated during the burst, which keep the
        allocator's memory from going back to the OS; see gateway/memory_release.py.)"""
        closed = 0
        for idle in self._idle.values():
            for connection in idle:
                self.discard(connection)
                closed += 1
        self._idle.clear()
        return closed

    def close(self) -> None:
        self.closed = True
        if self._sweep_handle is not None:
            self._sweep_handle.cancel()
            self._sweep_handle = None
        for connection in list(self._open):
            self.discard(connection)
        self._idle.clear()
