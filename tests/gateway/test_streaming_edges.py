"""Streaming at the edges: client disconnects, keep-alives, request time-outs."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import aiohttp
import orjson

from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, config_for_mock, running_gateway

AUTH = {"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"}
BODY = orjson.dumps(
    {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "x " * 50}]}
)


async def test_client_disconnect_cancels_the_upstream_promptly(mock: MockServer) -> None:
    async with running_gateway(config_for_mock(mock.url)) as gateway:
        started = time.monotonic()
        mock.script([{"tokens_per_second": 5, "reply_tokens": 200}])
        async with aiohttp.ClientSession() as session:
            response = await session.post(
                gateway.openai_base + "/chat/completions", data=BODY, headers=AUTH
            )
            first = await response.content.readline()
            assert first.startswith(b"data: ")
            response.close()  # the client goes away mid-stream
        # The gateway notices and logs the disconnect long before the 40 s stream would end.
        for _ in range(100):
            if "ClientDisconnected" in gateway.log.getvalue():
                break
            await asyncio.sleep(0.05)
        assert "ClientDisconnected" in gateway.log.getvalue()
        assert time.monotonic() - started < 5


async def test_keepalive_comments_while_upstream_is_silent(mock: MockServer) -> None:
    async with running_gateway(config_for_mock(mock.url)) as gateway:
        limits = dataclasses.replace(gateway.app.state.limits, stream_keepalive_seconds=0.1)
        gateway.app.replace_state(dataclasses.replace(gateway.app.state, limits=limits))
        mock.script([{"tokens_per_second": 2, "reply_tokens": 3}])
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                gateway.openai_base + "/chat/completions",
                data=BODY,
                headers=AUTH,
            ) as response,
        ):
            raw = await response.read()
    assert b": keep-alive\n\n" in raw
    assert raw.endswith(b"data: [DONE]\n\n")


async def test_request_timeout_is_408(mock: MockServer) -> None:
    config = config_for_mock(
        mock.url, "litellm_settings:\n  request_timeout: 0.3\nrouter_settings:\n  num_retries: 1\n"
    )
    mock.script([{"latency_ms": 2000, "times": 2}])  # every attempt is too slow
    async with running_gateway(config) as gateway:
        async with aiohttp.ClientSession() as session:
            async with session.post(
                gateway.openai_base + "/chat/completions",
                data=orjson.dumps(
                    {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]}
                ),
                headers=AUTH,
            ) as response:
                assert response.status == 408
                payload = await response.json()
    assert payload["error"]["type"] == "timeout_error"
    assert len(mock.requests) == 2  # the router retried once, then gave up
