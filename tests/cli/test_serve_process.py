"""`lockgate serve` as a real process: startup time, LiteLLM's CLI form, workers, SIGTERM
draining in-flight streams, SIGHUP reload, and bad configs refused with file and line."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import orjson

from lockgate.mock import MockServer

KEY = "sk-process-master-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(path: Path, mock_url: str, groups: tuple[str, ...] = ("chat",)) -> None:
    lines = ["model_list:"]
    for group in groups:
        lines += [
            f"  - model_name: {group}",
            "    litellm_params:",
            "      model: openai/gpt-4o-mini",
            f"      api_base: {mock_url}/v1",
            "      api_key: sk-upstream",
        ]
    lines += ["general_settings:", f"  master_key: {KEY}"]
    path.write_text("\n".join(lines) + "\n")


@asynccontextmanager
async def gateway_process(
    args: list[str], cwd: Path
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lockgate",
        *args,
        "--port",
        str(port),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        yield process, url
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def wait_ready(url: str, timeout: float = 10.0) -> float:
    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        while time.monotonic() - started < timeout:
            try:
                async with session.get(url + "/health/readiness") as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("gateway did not become ready")


async def chat(url: str, model: str = "chat", stream: bool = False) -> aiohttp.ClientResponse:
    session = aiohttp.ClientSession()
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    response = await session.post(
        url + "/v1/chat/completions",
        data=orjson.dumps(body),
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )
    response.release_session = session  # type: ignore[attr-defined]
    return response


async def close(response: aiohttp.ClientResponse) -> None:
    response.close()
    await response.release_session.close()  # type: ignore[attr-defined]


async def test_litellm_cli_form_starts_fast_and_serves(tmp_path: Path, mock: MockServer) -> None:
    write_config(tmp_path / "config.yaml", mock.url)
    async with gateway_process(["--config", "config.yaml"], tmp_path) as (_, url):
        startup = await wait_ready(url)
        response = await chat(url)
        assert response.status == 200
        await close(response)
    assert startup < 2.0, f"startup took {startup:.2f}s"


async def test_sigterm_finishes_the_stream_in_flight(tmp_path: Path, mock: MockServer) -> None:
    write_config(tmp_path / "config.yaml", mock.url)
    async with gateway_process(["serve", "--config", "config.yaml"], tmp_path) as (process, url):
        await wait_ready(url)
        mock.script([{"tokens_per_second": 10, "reply_tokens": 10}])
        response = await chat(url, stream=True)
        first = await response.content.readline()
        assert first.startswith(b"data: ")
        process.send_signal(signal.SIGTERM)
        rest = await response.content.read()
        await close(response)
        assert rest.rstrip().endswith(b"data: [DONE]")
        # uvicorn re-raises the signal after a clean shutdown, so the status reports it.
        assert await asyncio.wait_for(process.wait(), 10) in (0, -signal.SIGTERM)
        # New connections are refused once it has stopped.
        try:
            async with aiohttp.ClientSession() as session, session.get(url + "/health/liveliness"):
                refused = False
        except aiohttp.ClientConnectionError:
            refused = True
        assert refused


async def test_sighup_reloads_the_config(tmp_path: Path, mock: MockServer) -> None:
    config = tmp_path / "config.yaml"
    write_config(config, mock.url)
    async with gateway_process(["serve", "--config", str(config)], tmp_path) as (process, url):
        await wait_ready(url)
        response = await chat(url, model="added-later")
        assert response.status in (400, 404)
        await close(response)
        write_config(config, mock.url, groups=("chat", "added-later"))
        process.send_signal(signal.SIGHUP)
        for _ in range(50):
            response = await chat(url, model="added-later")
            status = response.status
            await close(response)
            if status == 200:
                break
            await asyncio.sleep(0.1)
        assert status == 200
        # A broken config on reload keeps the running one.
        config.write_text("model_list: [\n")
        process.send_signal(signal.SIGHUP)
        await asyncio.sleep(0.5)
        response = await chat(url, model="chat")
        assert response.status == 200
        await close(response)


async def test_workers(tmp_path: Path, mock: MockServer) -> None:
    write_config(tmp_path / "config.yaml", mock.url)
    async with gateway_process(
        ["serve", "--config", "config.yaml", "--workers", "2"], tmp_path
    ) as (process, url):
        await wait_ready(url, timeout=20)
        statuses = []
        for _ in range(6):
            response = await chat(url)
            statuses.append(response.status)
            await close(response)
        assert statuses == [200] * 6
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) in (0, -signal.SIGTERM)


async def test_bad_config_is_refused_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "model_list:\n  - model_name: x\n    litellm_params:\n      model: openai/x\n      rpm: lots\n"
    )
    async with gateway_process(["serve", "--config", "config.yaml"], tmp_path) as (process, _):
        assert await asyncio.wait_for(process.wait(), 20) == 2
        assert process.stderr is not None
        err = (await process.stderr.read()).decode()
    assert "config.yaml:5" in err and "rpm" in err
    assert "Traceback" not in err


async def test_models_command_lists_groups_without_secrets(
    tmp_path: Path, mock: MockServer
) -> None:
    write_config(tmp_path / "config.yaml", mock.url, groups=("chat", "second"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lockgate",
        "models",
        "--config",
        "config.yaml",
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    text = out.decode()
    assert process.returncode == 0
    assert "chat" in text and "second" in text and "openai/gpt-4o-mini" in text
    assert "sk-upstream" not in text and KEY not in text
