"""The real gateway after a burst of concurrent streams: once idle, it releases memory once
and closes the upstream connections the burst left idle (each kept objects the burst
allocated); the next request opens a new one."""

from __future__ import annotations

import asyncio

import aiohttp
import orjson

from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, config_for_mock, running_gateway

_SLOW = "mock-tps-20-tokens-10"  # each stream lasts about half a second
_STREAMS = 70  # more than the 64 in flight that make a burst


async def _stream(session: aiohttp.ClientSession, url: str) -> bytes:
    body = orjson.dumps(
        {"model": _SLOW, "messages": [{"role": "user", "content": "hi"}], "stream": True}
    )
    headers = {"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"}
    async with session.post(url, data=body, headers=headers) as reply:
        assert reply.status == 200
        return await reply.read()


async def test_after_a_burst_idle_upstream_connections_are_closed(mock: MockServer) -> None:
    async with running_gateway(config_for_mock(mock.url, models=(_SLOW,))) as gateway:
        url = gateway.openai_base + "/chat/completions"
        transport = gateway.app.state.client.transport
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            bodies = await asyncio.gather(*(_stream(session, url) for _ in range(_STREAMS)))
            assert all(b"[DONE]" in body for body in bodies)
            assert gateway.app.memory.releases == 0
            assert transport.open_connections() > 0  # kept idle for reuse
            for _ in range(100):  # checked every 2 s
                if gateway.app.memory.releases:
                    break
                await asyncio.sleep(0.1)
            assert gateway.app.memory.releases == 1
            assert transport.open_connections() == 0
            assert b"[DONE]" in await _stream(session, url)  # a new connection
            assert transport.open_connections() == 1
