"""The gateway's own HTTP/1.1 connection protocol, spoken to byte by byte over a raw socket:
keep-alive, pipelining, request body framing, 100-continue, bounds, timeouts, response framing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
import pytest

from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway

CHAT = orjson.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})


def chat_request(body: bytes = CHAT, extra: bytes = b"", version: bytes = b"1.1") -> bytes:
    return (
        b"POST /v1/chat/completions HTTP/" + version + b"\r\nhost: t\r\n"
        b"authorization: Bearer " + MASTER_KEY.encode() + b"\r\n"
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body
    )


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class RawConnection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def head(self) -> tuple[int, dict[str, str]]:
        raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 10)
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        return status, headers

    async def response(self) -> Response:
        status, headers = await self.head()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = await self._chunked()
        else:
            body = await asyncio.wait_for(self.reader.read(), 10)
        return Response(status, headers, body)

    async def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    async def closed_by_server(self, within: float = 1.0) -> bool:
        """Whether the server closes the connection within ``within`` seconds (the
        gateways here keep idle connections far longer, so a close is the server's choice)."""
        try:
            return await asyncio.wait_for(self.reader.read(1), within) == b""
        except TimeoutError:
            return False


@pytest.fixture
async def gateway(mock: MockServer) -> AsyncIterator[RunningGateway]:
    async with running_gateway(
        config_for_mock(mock.url), control=False, keep_alive_seconds=30
    ) as running:
        yield running


@pytest.fixture
async def short_keep_alive(mock: MockServer) -> AsyncIterator[RawConnection]:
    async with running_gateway(
        config_for_mock(mock.url), control=False, keep_alive_seconds=1
    ) as running:
        async for connection in connect(running):
            yield connection


async def connect(gateway: RunningGateway) -> AsyncIterator[RawConnection]:
    port = int(gateway.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        yield RawConnection(reader, writer)
    finally:
        writer.close()


@pytest.fixture
async def conn(gateway: RunningGateway) -> AsyncIterator[RawConnection]:
    async for connection in connect(gateway):
        yield connection


async def test_keep_alive_serves_several_requests_on_one_connection(
    conn: RawConnection,
) -> None:
    for _ in range(3):
        await conn.send(chat_request())
        response = await conn.response()
        assert response.status == 200
        assert orjson.loads(response.body)["object"] == "chat.completion"
        assert response.headers["content-length"] == str(len(response.body))
        assert "date" in response.headers
        assert "connection" not in response.headers


async def test_pipelined_requests_are_answered_in_order(conn: RawConnection) -> None:
    health = b"GET /health/liveliness HTTP/1.1\r\nhost: t\r\n\r\n"
    await conn.send(chat_request() + health + chat_request())
    statuses = [(await conn.response()) for _ in range(3)]
    assert [r.status for r in statuses] == [200, 200, 200]
    assert orjson.loads(statuses[0].body)["object"] == "chat.completion"
    assert b"chat.completion" not in statuses[1].body
    assert orjson.loads(statuses[2].body)["object"] == "chat.completion"


async def test_chunked_request_body_is_read_whole(conn: RawConnection) -> None:
    first, second = CHAT[:20], CHAT[20:]
    await conn.send(
        b"POST /v1/chat/completions HTTP/1.1\r\nhost: t\r\n"
        b"authorization: Bearer " + MASTER_KEY.encode() + b"\r\n"
        b"transfer-encoding: chunked\r\n\r\n"
        + b"%x\r\n%b\r\n" % (len(first), first)
        + b"%x\r\n%b\r\n" % (len(second), second)
        + b"0\r\n\r\n"
    )
    response = await conn.response()
    assert response.status == 200, response.body
    assert orjson.loads(response.body)["choices"][0]["message"]["role"] == "assistant"


async def test_expect_continue_is_answered_before_the_body(conn: RawConnection) -> None:
    request = chat_request(extra=b"expect: 100-continue\r\n")
    head, _, body = request.partition(b"\r\n\r\n")
    await conn.send(head + b"\r\n\r\n")
    status, _ = await conn.head()
    assert status == 100
    await conn.send(body)
    assert (await conn.response()).status == 200


async def test_large_body_is_read_across_pauses(conn: RawConnection) -> None:
    # Bigger than the server's read-ahead buffer: reading pauses and resumes as the
    # application takes the body.
    filler = "x" * (1024 * 1024)
    body = orjson.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": filler}]})
    await conn.send(chat_request(body))
    response = await conn.response()
    assert response.status == 200, response.body[:200]


async def test_body_over_the_limit_is_413_and_an_unread_rest_closes(mock: MockServer) -> None:
    config = config_for_mock(mock.url, "lockgate_settings:\n  max_request_body_bytes: 1000\n")
    async with running_gateway(config, control=False, keep_alive_seconds=30) as running:
        async for conn in connect(running):
            # The head announces 100 kB; only 5 kB come before the answer.
            head = chat_request(b"x" * 100_000).split(b"\r\n\r\n", 1)[0]
            await conn.send(head + b"\r\n\r\n" + b"{" + b" " * 5000)
            response = await conn.response()
            assert response.status == 413
            assert "limit" in orjson.loads(response.body)["error"]["message"]
            # The rest of the body cannot be told from a next request: closed at once,
            # long before the keep-alive timeout.
            assert await conn.closed_by_server()


async def test_malformed_request_is_400_json_and_closes(conn: RawConnection) -> None:
    await conn.send(b"THIS IS NOT HTTP\r\n\r\n")
    response = await conn.response()
    assert response.status == 400
    assert orjson.loads(response.body)["error"]["type"] == "invalid_request_error"
    assert response.headers["connection"] == "close"
    assert await conn.closed_by_server()


async def test_enormous_head_is_431_and_closes(conn: RawConnection) -> None:
    huge = b"x-filler: " + b"a" * (200 * 1024) + b"\r\n"
    await conn.send(chat_request(extra=huge))
    response = await conn.response()
    assert response.status == 431
    assert await conn.closed_by_server()


async def test_too_many_header_fields_is_431(conn: RawConnection) -> None:
    fields = b"".join(b"x-h%d: v\r\n" % i for i in range(300))
    await conn.send(chat_request(extra=fields))
    assert (await conn.response()).status == 431


async def test_connection_close_is_honoured(conn: RawConnection) -> None:
    await conn.send(chat_request(extra=b"connection: close\r\n"))
    response = await conn.response()
    assert response.status == 200
    assert response.headers["connection"] == "close"
    assert await conn.closed_by_server()


async def test_http10_without_keep_alive_is_closed_after_the_answer(
    conn: RawConnection,
) -> None:
    await conn.send(chat_request(version=b"1.0"))
    response = await conn.response()
    assert response.status == 200
    assert orjson.loads(response.body)["object"] == "chat.completion"
    assert await conn.closed_by_server()


async def test_idle_connection_is_closed_after_the_keep_alive_timeout(
    short_keep_alive: RawConnection,
) -> None:
    conn = short_keep_alive
    await conn.send(chat_request())
    assert (await conn.response()).status == 200
    assert not await conn.closed_by_server(within=0.3)  # still open right after
    assert await conn.closed_by_server(within=3)


async def test_a_head_that_never_completes_is_closed(short_keep_alive: RawConnection) -> None:
    conn = short_keep_alive
    await conn.send(b"POST /v1/chat/completions HTTP/1.1\r\nhost: t\r\n")
    assert await conn.closed_by_server(within=4)


async def test_stream_is_sent_chunked_and_ends_with_done(conn: RawConnection) -> None:
    body = orjson.dumps(
        {
            "model": "gpt-4o-mini",
            "stream": True,
            "messages": [{"role": "user", "content": "hi"}],
        }
    )
    await conn.send(chat_request(body))
    response = await conn.response()
    assert response.status == 200
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.body.rstrip().endswith(b"data: [DONE]")
    # The connection is reusable after a chunked response.
    await conn.send(chat_request())
    assert (await conn.response()).status == 200


async def test_path_is_percent_decoded_for_routing(conn: RawConnection) -> None:
    await conn.send(b"GET /health/%6Civeliness HTTP/1.1\r\nhost: t\r\n\r\n")
    assert (await conn.response()).status == 200


async def test_an_idle_keep_alive_connection_holds_no_task_for_graceful_shutdown(
    gateway: RunningGateway,
) -> None:
    # uvicorn's graceful shutdown waits for server_state.tasks: a connection's serving task
    # is in it only while a request is being served.
    async for conn in connect(gateway):
        for _ in range(3):
            await conn.send(chat_request())
            assert (await conn.response()).status == 200
        await asyncio.sleep(0.05)  # the tail of the last request (metrics, log) runs
        assert not gateway.server.server_state.tasks
        await conn.send(chat_request())  # and the connection is still served
        assert (await conn.response()).status == 200


async def test_requests_on_several_connections_are_served_concurrently(
    gateway: RunningGateway,
) -> None:
    connections = [c async for c in _open_many(gateway, 3)]
    try:
        for conn in connections:
            await conn.send(chat_request())
        statuses = [(await conn.response()).status for conn in connections]
        assert statuses == [200, 200, 200]
    finally:
        for conn in connections:
            conn.writer.close()


async def _open_many(gateway: RunningGateway, count: int) -> AsyncIterator[RawConnection]:
    port = int(gateway.url.rsplit(":", 1)[1])
    for _ in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        yield RawConnection(reader, writer)


async def test_a_closed_connection_ends_its_waiting_task(gateway: RunningGateway) -> None:
    async for conn in connect(gateway):
        await conn.send(chat_request())
        assert (await conn.response()).status == 200
        await asyncio.sleep(0.05)  # the tail of the request (metrics, log) runs
        (protocol,) = gateway.server.server_state.connections
        assert protocol._idle is not None  # the task that served it waits for the next
        waiting = protocol._idle[0]
        await conn.send(chat_request())  # served by that same task
        assert (await conn.response()).status == 200
        await asyncio.sleep(0.05)
        assert protocol._idle is not None and protocol._idle[0] is waiting
    await asyncio.sleep(0.1)  # the client closed its side
    assert waiting.done() and not waiting.cancelled()
    assert not gateway.server.server_state.connections
