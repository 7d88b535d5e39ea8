"""A gateway process stopped with SIGTERM writes every spend row before it exits."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

import aiohttp
import pytest

from lockgate.mock import MockServer
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.harness import free_port

pytestmark = pytest.mark.slow

MASTER = "sk-master-sigterm-test-1234"


async def _ready(url: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            if process.returncode is not None:
                raise AssertionError("the gateway exited early")
            try:
                async with session.get(url + "/health/readiness") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("the gateway did not start")


async def test_sigterm_flushes_spend_rows(mock: MockServer, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""model_list:
  - model_name: gpt-4o-mini
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: {mock.url}/v1
      api_key: sk-upstream
general_settings:
  master_key: {MASTER}
  proxy_batch_write_at: 3600   # only the shutdown flush can write the rows
"""
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lockgate.cli.main",
        "serve",
        "--config",
        str(config),
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path / "data"),
        "--allow-unverified",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await _ready(url, process)
        async with aiohttp.ClientSession() as session:
            admin = AdminClient(session, url, MASTER)
            key = (await admin.ok("/key/generate", {"max_budget": 10}))["key"]
            body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
            for _ in range(5):
                async with session.post(
                    url + "/v1/chat/completions",
                    json=body,
                    headers={"Authorization": f"Bearer {key}"},
                ) as response:
                    assert response.status == 200
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        # uvicorn re-raises the signal after its graceful shutdown.
        assert process.returncode in (0, -signal.SIGTERM), stderr.decode()[-2000:]
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    with sqlite3.connect(tmp_path / "data" / "lockgate.db") as db:
        (count,) = db.execute("SELECT count(*) FROM lockgate_spend_logs").fetchone()
        (spend,) = db.execute("SELECT spend FROM lockgate_keys").fetchone()
    assert count == 5
    assert spend > 0
