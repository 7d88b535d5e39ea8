"""One request cycle of the gateway's HTTP/1.1 server, against a connection that records
what would be written: response framing, refused headers, the body as ``receive`` gives it."""

from __future__ import annotations

import asyncio

import pytest

from lockgate.gateway.h1_cycle import RequestCycle, ResponseProtocolError


class RecordingConnection:
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.writes: list[bytes] = []
        self.finished: list[RequestCycle] = []
        self.continues = 0
        self.paused_writes = False
        self.drain_calls = 0

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def write_continue(self) -> None:
        self.continues += 1

    async def drained(self) -> None:
        self.drain_calls += 1

    def resume_body(self) -> None:
        pass

    def default_header_lines(self) -> bytes:
        return b"date: Mon, 23 Nov 2026 00:00:00 GMT\r\n"

    def response_finished(self, cycle: RequestCycle) -> None:
        self.finished.append(cycle)


def make_cycle(
    connection: RecordingConnection,
    method: str = "POST",
    *,
    keep_alive: bool = True,
    expect_continue: bool = False,
    http10: bool = False,
) -> RequestCycle:
    scope = {"type": "http", "method": method, "headers": []}
    return RequestCycle(
        connection,  # type: ignore[arg-type]
        scope,
        keep_alive=keep_alive,
        expect_continue=expect_continue,
        http10=http10,
    )


def start(status: int = 200, headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, object]:
    return {"type": "http.response.start", "status": status, "headers": headers or []}


def body(data: bytes, more: bool = False) -> dict[str, object]:
    return {"type": "http.response.body", "body": data, "more_body": more}


async def test_a_whole_answer_leaves_in_one_write_with_its_length() -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection)
    await cycle.send(start(200, [(b"Content-Type", b"application/json")]))
    assert connection.writes == []  # the head waits for the body
    await cycle.send(body(b'{"ok":true}'))
    assert len(connection.writes) == 1
    head, _, sent = connection.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"content-type: application/json" in head  # names are lower-cased
    assert b"content-length: 11" in head
    assert b"date: " in head
    assert sent == b'{"ok":true}'
    assert connection.finished == [cycle]


async def test_a_response_in_parts_is_chunked_and_terminated() -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection)
    await cycle.send(start(200, [(b"content-type", b"text/event-stream")]))
    await cycle.send(body(b"data: 1\n\n", more=True))
    await cycle.send(body(b"", more=True))  # nothing to frame: nothing written
    await cycle.send(body(b"data: 2\n\n", more=True))
    await cycle.send(body(b""))
    first = connection.writes[0]
    assert b"transfer-encoding: chunked\r\n" in first
    assert first.endswith(b"\r\n\r\n9\r\ndata: 1\n\n\r\n")
    assert connection.writes[1:] == [b"9\r\ndata: 2\n\n\r\n", b"0\r\n\r\n"]
    assert connection.drain_calls == 3  # flow control is honoured between parts


async def test_http10_stream_is_close_delimited() -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection, http10=True)
    await cycle.send(start(200))
    await cycle.send(body(b"part", more=True))
    await cycle.send(body(b""))
    assert b"transfer-encoding" not in connection.writes[0]
    assert b"connection: close" in connection.writes[0]
    assert connection.writes[0].endswith(b"\r\n\r\npart")
    assert cycle.keep_alive is False


async def test_explicit_content_length_is_not_chunked() -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection)
    await cycle.send(start(200, [(b"content-length", b"6")]))
    await cycle.send(body(b"abc", more=True))
    await cycle.send(body(b"def"))
    assert b"transfer-encoding" not in connection.writes[0]
    assert b"".join(connection.writes).endswith(b"\r\n\r\nabcdef")


async def test_head_request_gets_no_body_bytes() -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection, method="HEAD")
    await cycle.send(start(200, [(b"content-length", b"5")]))
    await cycle.send(body(b"hello"))
    assert connection.writes[0].endswith(b"\r\n\r\n")


async def test_not_keep_alive_says_connection_close() -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection, keep_alive=False)
    await cycle.send(start(204))
    await cycle.send(body(b""))
    assert b"connection: close\r\n" in connection.writes[0]
    assert b"content-length" not in connection.writes[0]


@pytest.mark.parametrize(
    "header",
    [
        (b"x-evil", b"a\r\nset-cookie: stolen=1"),
        (b"x-evil", b"a\nb"),
        (b"x-evil", b"a\rb"),
        (b"x-evil\r\nx-other", b"v"),
    ],
)
async def test_a_header_with_a_line_break_is_refused(header: tuple[bytes, bytes]) -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection)
    with pytest.raises(ResponseProtocolError):
        await cycle.send(start(200, [header]))
    assert connection.writes == []


async def test_protocol_misuse_is_refused() -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection)
    with pytest.raises(ResponseProtocolError):
        await cycle.send(body(b"early"))
    with pytest.raises(ResponseProtocolError):
        await cycle.send(start(999))
    await cycle.send(start(200))
    with pytest.raises(ResponseProtocolError):
        await cycle.send(start(200))
    await cycle.send(body(b"x"))
    with pytest.raises(ResponseProtocolError):
        await cycle.send(body(b"late"))


async def test_receive_gives_the_body_then_waits_for_the_disconnect() -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection)
    cycle.feed_body(b"ab")
    cycle.feed_body(b"cd")
    assert await cycle.receive() == {"type": "http.request", "body": b"abcd", "more_body": True}
    waiting = asyncio.ensure_future(cycle.receive())
    await asyncio.sleep(0)
    assert not waiting.done()
    cycle.feed_body(b"ef")
    cycle.finish_body()
    assert await waiting == {"type": "http.request", "body": b"ef", "more_body": False}
    watcher = asyncio.ensure_future(cycle.receive())
    await asyncio.sleep(0)
    assert not watcher.done()  # nothing more to read: it waits
    cycle.mark_disconnected()
    assert await watcher == {"type": "http.disconnect"}


async def test_receive_after_the_response_reports_a_disconnect() -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection)
    cycle.finish_body()
    assert (await cycle.receive())["more_body"] is False
    watcher = asyncio.ensure_future(cycle.receive())
    await asyncio.sleep(0)
    await cycle.send(start(200))
    await cycle.send(body(b"done"))
    assert await asyncio.wait_for(watcher, 1) == {"type": "http.disconnect"}


async def test_expect_continue_is_sent_once_when_the_body_is_wanted() -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection, expect_continue=True)
    waiting = asyncio.ensure_future(cycle.receive())
    await asyncio.sleep(0)
    assert connection.continues == 1
    cycle.feed_body(b"{}")
    cycle.finish_body()
    assert (await waiting)["body"] == b"{}"
    assert connection.continues == 1


async def test_server_answer_is_json_500() -> None:
    connection = RecordingConnection()
    cycle = make_cycle(connection)
    cycle.answer(500, b'{"error":{}}')
    head, _, sent = connection.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500 Internal Server Error")
    assert b"content-length: 12" in head
    assert sent == b'{"error":{}}'
