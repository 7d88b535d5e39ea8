"""Malformed streams and oversized bodies from a hostile upstream neither crash the gateway
nor grow its memory without bound: garbage SSE, a line that never ends (8 MiB bound), a
100 MB body (64 MiB bound), a stream that never ends (ends when the client leaves), a
response that never comes (time-out). After each, the gateway still serves."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import orjson
import pytest

from lockgate.config import parse_config
from tests.gateway.harness import MASTER_KEY, RunningGateway, running_gateway
from tests.security.hostile_upstream import CHUNK, HostileUpstream, head

MiB = 1024 * 1024
AUTH = {"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"}
CHAT = {"model": "hostile", "messages": [{"role": "user", "content": "hi"}]}
CHUNK_EVENT = (
    b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":'
    b'[{"index":0,"delta":{"content":"ha"},"finish_reason":null}]}\n\n'
)


@asynccontextmanager
async def gateway_for(upstream: HostileUpstream, extra: str = "") -> AsyncIterator[RunningGateway]:
    config = parse_config(
        "model_list:\n  - model_name: hostile\n    litellm_params:\n      model: openai/m\n"
        f"      api_base: {upstream.api_base}\n      api_key: sk-upstream\n" + extra,
        source="<hostile>",
        env={},
    )
    async with running_gateway(config, control=False) as gateway:
        yield gateway


async def post(
    gateway: RunningGateway, body: dict[str, Any], read_limit: int | None = None
) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            gateway.openai_base + "/chat/completions", data=orjson.dumps(body), headers=AUTH
        ) as r:
            if read_limit is None:
                return r.status, await r.read()
            return r.status, await r.content.read(read_limit)


async def still_serves(gateway: RunningGateway) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(gateway.url + "/health/readiness") as response:
            assert response.status == 200


class Peak:
    """Peak traced memory (bytes) over a block, above what was allocated when it began."""

    def __enter__(self) -> Peak:
        tracemalloc.start()
        tracemalloc.reset_peak()
        self.base = tracemalloc.get_traced_memory()[0]
        return self

    def __exit__(self, *exc: object) -> None:
        self.peak = tracemalloc.get_traced_memory()[1] - self.base
        tracemalloc.stop()


GARBAGE = [
    b"data: {not json\n\n",
    b"\xff\xfe\x00\x01 binary \x80\n\n",
    b"data: [1, 2, 3]\n\n",
    b'data: {"choices": 5}\n\n',
    b"event: ping\ndata: \n\n",
    b":" * 70000 + b"\n\n",
]


@pytest.mark.parametrize("first", [b"", CHUNK_EVENT], ids=["from-the-start", "mid-stream"])
async def test_garbage_sse_is_an_error_in_the_contract_shape(first: bytes) -> None:
    async def behaviour(writer: asyncio.StreamWriter, upstream: HostileUpstream) -> None:
        await upstream.write(writer, head() + first)
        for part in GARBAGE:
            await upstream.write(writer, part)

    async with HostileUpstream(behaviour) as upstream, gateway_for(upstream) as gateway:
        for stream in (True, False):
            status, body = await post(gateway, {**CHAT, "stream": stream})
            assert b"Traceback" not in body
            if stream and first:
                # The 200 was sent with the first chunk; the failure follows in-band.
                assert status == 200 and body.startswith(b"data: ")
                last = body.strip().split(b"\n\n")[-1]
                assert set(orjson.loads(last.removeprefix(b"data: "))["error"]) == {
                    "message",
                    "type",
                    "param",
                    "code",
                }
            else:
                assert status == 502, body[:300]
                assert set(orjson.loads(body)["error"]) == {"message", "type", "param", "code"}
        await still_serves(gateway)


async def test_a_line_that_never_ends_is_cut_at_8_mib() -> None:
    async def behaviour(writer: asyncio.StreamWriter, upstream: HostileUpstream) -> None:
        await upstream.write(writer, head() + CHUNK_EVENT + b"data: ")
        await upstream.forever(writer, CHUNK, limit=200 * MiB)

    async with HostileUpstream(behaviour) as upstream, gateway_for(upstream) as gateway:
        with Peak() as memory:
            started = time.monotonic()
            status, body = await post(gateway, {**CHAT, "stream": True})
            await asyncio.wait_for(upstream.closed_by_peer.wait(), 10)
        assert status == 200
        assert body.startswith(b"data: ") and b"exceeds" in body  # in-band error, then the end
        assert max(upstream.per_connection) < 40 * MiB, upstream.per_connection  # cut after 8 MiB
        assert memory.peak < 48 * MiB, memory.peak
        assert time.monotonic() - started < 20
        await still_serves(gateway)


@pytest.mark.parametrize("declared", [True, False])
async def test_a_100_mb_body_is_refused_at_64_mib(declared: bool) -> None:
    size = 100 * MiB

    async def behaviour(writer: asyncio.StreamWriter, upstream: HostileUpstream) -> None:
        length = f"Content-Length: {size}\r\n" if declared else ""
        await upstream.write(
            writer, head(content_type="application/json", extra=length) + b'{"x": "'
        )
        await upstream.forever(writer, CHUNK, limit=size)

    # Retries on: a fixed bug kept every failed attempt's 64 MiB alive until the last one.
    retries = "router_settings:\n  num_retries: 3\n"
    async with HostileUpstream(behaviour) as upstream, gateway_for(upstream, retries) as gateway:
        with Peak() as memory:
            status, body = await post(gateway, CHAT)
            await asyncio.wait_for(upstream.closed_by_peer.wait(), 20)
        assert upstream.requests == 4
        assert status == 502, body[:300]
        error = orjson.loads(body)["error"]
        assert "exceeds" in error["message"] and set(error) == {"message", "type", "param", "code"}
        limit = 64 * MiB
        # Each attempt (the router retries a broken upstream) stops at the bound: with a
        # declared length at once (what was sent sits in socket buffers), else after 64 MiB.
        most = max(upstream.per_connection)
        assert most < (32 * MiB if declared else limit + 16 * MiB), upstream.per_connection
        assert memory.peak < limit + 24 * MiB, memory.peak  # the bound, not the 100 MB
        await still_serves(gateway)


async def test_a_stream_that_never_ends_stops_when_the_client_leaves() -> None:
    async def behaviour(writer: asyncio.StreamWriter, upstream: HostileUpstream) -> None:
        await upstream.write(writer, head())
        await upstream.forever(writer, CHUNK_EVENT * 64, limit=10_000 * MiB)

    async with HostileUpstream(behaviour) as upstream, gateway_for(upstream) as gateway:
        with Peak() as memory:
            status, first = await post(gateway, {**CHAT, "stream": True}, read_limit=256 * 1024)
            sent_when_left = upstream.bytes_sent
            await asyncio.wait_for(upstream.closed_by_peer.wait(), 20)
        assert status == 200 and first.startswith(b"data: ")
        # The upstream connection closed once we left: after that the upstream could only fill
        # the sockets' buffers (about 2 MiB here). Counted in bytes, not seconds, because
        # traced allocations make the whole process slow and a loaded machine slower still.
        assert upstream.bytes_sent - sent_when_left < 8 * MiB, upstream.bytes_sent - sent_when_left
        assert memory.peak < 32 * MiB, memory.peak
        await still_serves(gateway)


async def test_an_upstream_that_never_answers_times_out() -> None:
    async def behaviour(writer: asyncio.StreamWriter, upstream: HostileUpstream) -> None:
        await asyncio.sleep(3600)

    async def trickle(writer: asyncio.StreamWriter, upstream: HostileUpstream) -> None:
        await upstream.write(writer, head(content_type="application/json") + b"{")
        while not writer.is_closing():
            await asyncio.sleep(0.05)
            await upstream.write(writer, b" ")

    settings = "router_settings:\n  timeout: 1\n"
    for silent in (behaviour, trickle):
        async with HostileUpstream(silent) as upstream, gateway_for(upstream, settings) as gateway:
            started = time.monotonic()
            status, body = await post(gateway, CHAT)
            elapsed = time.monotonic() - started
            assert status in (408, 504), (silent.__name__, status, body[:200])
            assert set(orjson.loads(body)["error"]) == {"message", "type", "param", "code"}
            assert elapsed < 10, (silent.__name__, elapsed)
            await still_serves(gateway)
