"""A raw asyncio HTTP server on loopback that misbehaves on purpose: garbage SSE, lines that
never end, bodies larger than any bound, streams that never finish. It allocates nothing per
byte it sends (one chunk, written again and again), so memory measured in the test process is
the gateway's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Behaviour = Callable[[asyncio.StreamWriter, "HostileUpstream"], Awaitable[None]]
CHUNK = b"x" * 65536


@dataclass
class HostileUpstream:
    behaviour: Behaviour
    port: int = 0
    bytes_sent: int = 0  # over every connection
    requests: int = 0
    per_connection: list[int] = field(default_factory=list)  # bytes each connection got
    closed_by_peer: asyncio.Event = field(default_factory=asyncio.Event)
    _server: asyncio.Server | None = None

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            self.requests += 1
            self.per_connection.append(0)
            await self.behaviour(writer, self)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.closed_by_peer.set()
        finally:
            writer.close()

    async def write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        await writer.drain()
        self.bytes_sent += len(data)
        self.per_connection[-1] += len(data)

    async def forever(self, writer: asyncio.StreamWriter, data: bytes, limit: int) -> None:
        """Write ``data`` again and again until the peer goes away (or ``limit`` bytes on
        this connection)."""
        while self.per_connection[-1] < limit:
            if writer.is_closing():
                break
            await self.write(writer, data)
        self.closed_by_peer.set()

    async def __aenter__(self) -> HostileUpstream:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


def head(status: str = "200 OK", content_type: str = "text/event-stream", extra: str = "") -> bytes:
    """Response head without a length: the body runs until the connection closes."""
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}Connection: close\r\n\r\n"
    ).encode()
