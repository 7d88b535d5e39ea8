"""MockServer lifecycle, settings, and `run_mock_server` as the CLI runs it."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

import aiohttp
import openai
import pytest

from lockgate.mock import MockServer, MockSettings, create_mock_app

USER = [{"role": "user", "content": "hi"}]


async def test_server_picks_a_free_port_and_stops() -> None:
    async with MockServer() as first, MockServer() as second:
        assert first.port != 0 and first.port != second.port
        assert first.url == f"http://127.0.0.1:{first.port}"
        assert first.openai_base_url == first.url + "/v1"
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientConnectionError):
            await http.get(f"{first.url}/__mock/health")


async def test_recording_off_and_auth_off() -> None:
    settings = MockSettings(record_requests=False, require_auth=False)
    async with MockServer(settings=settings) as mock, aiohttp.ClientSession() as http:
        body = {"model": "gpt-4o", "messages": USER}
        async with http.post(f"{mock.url}/v1/chat/completions", json=body) as resp:
            assert resp.status == 200
        assert mock.requests == []


async def test_default_latency_from_settings() -> None:
    settings = MockSettings(latency_ms=100)
    async with (
        MockServer(settings=settings) as mock,
        openai.AsyncOpenAI(base_url=mock.openai_base_url, api_key="k", max_retries=0) as client,
    ):
        loop = asyncio.get_running_loop()
        started = loop.time()
        await client.chat.completions.create(model="gpt-4o", messages=USER)
        assert loop.time() - started >= 0.1


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        MockSettings(latency_ms=-1)
    app = create_mock_app(MockSettings(models=("only-one",)))
    assert app is not None


async def test_state_is_per_app() -> None:
    async with MockServer() as a, MockServer() as b:
        a.script([{"status": 500}])
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{b.url}/__mock/script") as resp:
                assert (await resp.json()) == {"pending": {}}
            async with http.get(f"{a.url}/__mock/script") as resp:
                assert (await resp.json()) == {"pending": {"*": 1}}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_run_mock_server_serves_until_stopped() -> None:
    port = _free_port()
    code = f"from lockgate.mock import run_mock_server; run_mock_server('127.0.0.1', {port})"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/__mock/health") as resp:
                        assert (await resp.json()) == {"status": "ok"}
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            else:
                pytest.fail("the mock server did not start")
    finally:
        process.terminate()
        stdout, _ = process.communicate(timeout=10)
    assert f"lockgate mock serving on http://127.0.0.1:{port}" in stdout.decode()
