"""The thin pass-through forwards the body and returns the upstream's bytes and status."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
from aiohttp.test_utils import TestClient, TestServer

from lockgate.bench.canned import chat_request
from lockgate.bench.processes import ManagedProcess, free_port
from lockgate.bench.thin_proxy import create_thin_proxy
from lockgate.mock import MockServer


async def test_forwards_the_body_and_returns_the_upstream_answer(mock: MockServer) -> None:
    proxy = create_thin_proxy(mock.openai_base_url + "/chat/completions")
    async with TestClient(TestServer(proxy)) as client:
        reply = await client.post("/v1/chat/completions", data=chat_request("gpt-4o-mini"))
        assert reply.status == 200
        assert reply.content_type == "application/json"
        body = orjson.loads(await reply.read())
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"] == (
        "This is a mock reply to: Hello, how are you?"
    )
    sent = mock.requests[-1]
    assert sent["body"] == orjson.loads(chat_request("gpt-4o-mini"))
    assert sent["headers"]["authorization"] == "Bearer sk-bench"


async def test_passes_an_upstream_error_status_through(mock: MockServer) -> None:
    proxy = create_thin_proxy(mock.openai_base_url + "/chat/completions")
    async with TestClient(TestServer(proxy)) as client:
        reply = await client.post("/anything", data=chat_request("mock-error-429"))
        assert reply.status == 429
        assert "error" in orjson.loads(await reply.read())


def test_runs_as_a_subprocess_and_stops(tmp_path: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "lockgate.bench.thin_proxy", "--port", str(port)]
    argv += ["--upstream", "http://127.0.0.1:9/unused"]
    process = ManagedProcess("thin", argv, tmp_path / "thin.log")
    with process:
        process.wait_ready(f"http://127.0.0.1:{port}/health", timeout=20)
        rss = process.rss()
        assert rss.processes == 1
        assert 5 < rss.total_mb < 500
        pid = process.pid
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_processes_share_the_port_and_all_stop(tmp_path: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "lockgate.bench.thin_proxy", "--port", str(port)]
    argv += ["--upstream", "http://127.0.0.1:9/unused", "--processes", "3"]
    process = ManagedProcess("thin", argv, tmp_path / "thin.log")
    with process:
        process.wait_ready(f"http://127.0.0.1:{port}/health", timeout=20)
        rss = process.rss()
        assert rss.processes == 3  # the first server and its two siblings
        children = _children(process.pid)
        assert len(children) == 2
    assert not any(_alive(pid) for pid in children)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().split(") ")[1].split()
            except (FileNotFoundError, IndexError):
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found
