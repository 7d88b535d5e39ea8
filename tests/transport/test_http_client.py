"""Transport failure mapping: refused connections, time-outs, oversized and broken bodies."""

from __future__ import annotations

import asyncio
import gzip
import socket

import pytest

from lockgate.errors import APIConnectionError, APITimeoutError
from lockgate.transport import EgressPolicy, HttpTransport, Timeouts, UpstreamRequest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(port: int) -> UpstreamRequest:
    return UpstreamRequest("POST", f"http://127.0.0.1:{port}/v1/x", {}, b"{}")


@pytest.fixture
async def transport() -> HttpTransport:
    return HttpTransport(EgressPolicy(allow_any_host=True), max_response_bytes=1024)


async def test_connection_refused_is_api_connection_error(transport: HttpTransport) -> None:
    try:
        with pytest.raises(APIConnectionError, match="cannot connect"):
            await transport.send(request(free_port()), Timeouts())
    finally:
        await transport.aclose()


class RawServer:
    """A loopback server sending one canned reply; closes every connection on stop."""

    def __init__(self, reply: bytes, delay: float, hold_open: bool) -> None:
        self.reply, self.delay, self.hold_open = reply, delay, hold_open
        self.tasks: set[asyncio.Task[None]] = set()
        self.server: asyncio.Server | None = None
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            await reader.read(65536)
            await asyncio.sleep(self.delay)
            writer.write(self.reply)
            await writer.drain()
            if self.hold_open:
                await asyncio.sleep(5)
        finally:
            writer.close()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = int(self.server.sockets[0].getsockname()[1])
        return self.port

    def close(self) -> None:
        assert self.server is not None
        self.server.close()
        for task in self.tasks:
            task.cancel()


async def serve(reply: bytes, *, delay: float = 0.0, hold_open: bool = False) -> RawServer:
    server = RawServer(reply, delay, hold_open)
    await server.start()
    return server


async def test_read_timeout_is_api_timeout_error(transport: HttpTransport) -> None:
    server = await serve(b"", delay=2.0)
    port = server.port
    try:
        with pytest.raises(APITimeoutError):
            await transport.send(request(port), Timeouts(connect=1, read=0.2, total=0.3))
    finally:
        await transport.aclose()
        server.close()
        await asyncio.sleep(0)


async def test_oversized_body_is_refused(transport: HttpTransport) -> None:
    body = b"x" * 5000
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + body
    server = await serve(reply)
    port = server.port
    try:
        with pytest.raises(APIConnectionError, match="exceeds 1024"):
            await transport.send(request(port), Timeouts())
    finally:
        await transport.aclose()
        server.close()
        await asyncio.sleep(0)


async def test_oversized_chunked_body_is_refused_without_content_length(
    transport: HttpTransport,
) -> None:
    chunk = b"400\r\n" + b"y" * 1024 + b"\r\n"
    reply = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 3 + b"0\r\n\r\n"
    server = await serve(reply)
    port = server.port
    try:
        with pytest.raises(APIConnectionError, match="exceeds 1024"):
            await transport.send(request(port), Timeouts())
    finally:
        await transport.aclose()
        server.close()
        await asyncio.sleep(0)


async def test_stream_broken_midway_is_api_connection_error(transport: HttpTransport) -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\ndata: partial\n\n"
    server = await serve(reply)
    port = server.port
    try:
        async with transport.stream(request(port), Timeouts()) as response:
            assert response.status == 200
            with pytest.raises(APIConnectionError, match="stream broke"):
                async for _ in response.iter_bytes():
                    pass
    finally:
        await transport.aclose()
        server.close()
        await asyncio.sleep(0)


async def test_stream_idle_timeout(transport: HttpTransport) -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: first\n\n"
    server = await serve(reply, hold_open=True)
    port = server.port
    try:
        async with transport.stream(request(port), Timeouts(connect=1, read=0.3)) as response:
            chunks = []
            with pytest.raises(APITimeoutError, match="idle"):
                async for chunk in response.iter_bytes():
                    chunks.append(chunk)
            assert chunks == [b"data: first\n\n"]
    finally:
        await transport.aclose()
        server.close()
        await asyncio.sleep(0)


async def test_keep_alive_reuse_and_idle_cap() -> None:
    from aiohttp import web

    async def reply(request: web.Request) -> web.Response:
        await asyncio.sleep(0.05)  # long enough for the requests below to overlap
        return web.Response(body=await request.read())

    app = web.Application()
    app.router.add_post("/echo", reply)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    transport = HttpTransport(EgressPolicy(allow_any_host=True), max_idle_per_origin=2)
    try:
        echo = UpstreamRequest("POST", f"http://127.0.0.1:{port}/echo", {}, b"ping")
        replies = await asyncio.gather(*(transport.send(echo, Timeouts()) for _ in range(5)))
        assert [r.body for r in replies] == [b"ping"] * 5
        assert transport.open_connections() == 2  # five opened at once, two kept idle
        again = await transport.send(echo, Timeouts())
        assert again.body == b"ping"
        assert transport.open_connections() == 2  # reused, not a sixth connection
    finally:
        await transport.aclose()
        await runner.cleanup()


async def test_read_timeouts_of_requests_on_one_kept_alive_connection() -> None:
    """A connection keeps one timer across its requests: each wait still times out at its
    own deadline, whether that comes before or after the timer an earlier wait armed."""
    from aiohttp import web

    async def reply(request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query["delay"]))
        return web.Response(body=b"ok")

    app = web.Application()
    app.router.add_post("/slow", reply)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    transport = HttpTransport(EgressPolicy(allow_any_host=True))
    loop = asyncio.get_running_loop()

    def slow(delay: float) -> UpstreamRequest:
        return UpstreamRequest("POST", f"http://127.0.0.1:{port}/slow?delay={delay}", {}, b"")

    try:
        # The first wait arms the timer for about 1 s from now; the second, started half
        # a second later, may last until 1.5 s: its answer at 1.3 s is not a time-out.
        assert (await transport.send(slow(0), Timeouts(read=1.0))).body == b"ok"
        await asyncio.sleep(0.5)
        assert (await transport.send(slow(0.8), Timeouts(read=1.0))).body == b"ok"
        # A deadline before the armed timer's (30 s) still ends the wait on time.
        assert (await transport.send(slow(0), Timeouts(read=30.0))).body == b"ok"
        started = loop.time()
        with pytest.raises(APITimeoutError):
            await transport.send(slow(3), Timeouts(read=0.3))
        assert loop.time() - started < 2.0
        assert transport.open_connections() == 0  # the timed-out connection is closed
    finally:
        await transport.aclose()
        await runner.cleanup()


async def test_reused_connection_closed_before_any_reply_is_retried_once() -> None:
    """The race every keep-alive client meets: the upstream drops an idle connection just
    as a request goes out on it. No byte of a reply came back, so one retry on a new
    connection is safe; a second failure is not retried."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        first_connection = len(connections) == 1
        try:
            await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(2)
            writer.write(ok)
            await writer.drain()
            if first_connection:  # read the next request, then hang up without a reply
                await reader.readuntil(b"\r\n\r\n")
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = HttpTransport(EgressPolicy(allow_any_host=True))
    try:
        call = UpstreamRequest("POST", f"http://127.0.0.1:{port}/", {}, b"{}")
        assert (await transport.send(call, Timeouts())).body == b"ok"
        assert (await transport.send(call, Timeouts())).body == b"ok"  # retried
        assert len(connections) == 2
    finally:
        await transport.aclose()
        server.close()


async def _one_reply(reply: bytes) -> tuple[asyncio.Server, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(reply)
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


@pytest.mark.parametrize(
    ("name", "reply", "body"),
    [
        # No length and no chunking: the body ends when the upstream closes the connection.
        (
            "close-delimited",
            b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",
            b"until the end",
        ),
        # An interim 103 Early Hints comes first; the real response follows on the same bytes.
        (
            "interim 103",
            b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal",
            b"final",
        ),
        (
            "chunked with a trailer",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
            b"hello world",
        ),
        (
            "gzip",
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "
            + str(len(gzip.compress(b'{"a": 1}' * 50))).encode()
            + b"\r\n\r\n"
            + gzip.compress(b'{"a": 1}' * 50),
            b'{"a": 1}' * 50,
        ),
    ],
)
async def test_response_framings(name: str, reply: bytes, body: bytes) -> None:
    server, port = await _one_reply(reply)
    transport = HttpTransport(EgressPolicy(allow_any_host=True))
    try:
        response = await transport.send(
            UpstreamRequest("POST", f"http://127.0.0.1:{port}/", {}, b"{}"), Timeouts()
        )
        assert response.status == 200, name
        assert response.body == body, name
    finally:
        await transport.aclose()
        server.close()


async def test_unsupported_content_encoding_is_refused() -> None:
    server, port = await _one_reply(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\nabc"
    )
    transport = HttpTransport(EgressPolicy(allow_any_host=True))
    try:
        with pytest.raises(APIConnectionError, match="unsupported content-encoding 'br'"):
            await transport.send(
                UpstreamRequest("POST", f"http://127.0.0.1:{port}/", {}, b"{}"), Timeouts()
            )
    finally:
        await transport.aclose()
        server.close()


async def test_a_large_stream_read_slowly_arrives_whole() -> None:
    """More than the read-pause threshold (1 MiB) waits in the socket, not in memory, while
    the consumer is slow; every byte still arrives, in order."""
    payload = bytes(range(256)) * (6 * 4096)  # 6 MiB
    chunk = 64 * 1024
    parts = [payload[i : i + chunk] for i in range(0, len(payload), chunk)]
    reply = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts)
        + b"0\r\n\r\n"
    )
    server, port = await _one_reply(reply)
    transport = HttpTransport(EgressPolicy(allow_any_host=True))
    try:
        received = bytearray()
        request = UpstreamRequest("POST", f"http://127.0.0.1:{port}/", {}, b"{}")
        async with transport.stream(request, Timeouts()) as response:
            async for piece in response.iter_bytes():
                received += piece
                await asyncio.sleep(0.001)  # a slow consumer
        assert bytes(received) == payload
    finally:
        await transport.aclose()
        server.close()


async def test_request_line_is_always_one_clean_line() -> None:
    """A space, a non-ASCII letter or a control character in a URL is percent-encoded: no
    URL can split the request line or smuggle a header in."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            seen.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = HttpTransport(EgressPolicy(allow_any_host=True))
    try:
        url = f"http://127.0.0.1:{port}/v1/a b/é\x0bX-Evil: 1/chat?x=1"
        await transport.send(UpstreamRequest("GET", url, {}), Timeouts())
    finally:
        await transport.aclose()
        server.close()
    (head,) = seen
    request_line, *headers = head.decode("ascii").split("\r\n")
    assert request_line == "GET /v1/a%20b/%C3%A9%0BX-Evil:%201/chat?x=1 HTTP/1.1"
    assert not any(h.lower().startswith("x-evil") for h in headers)
