"""nginx as the upstream and wrk as the load generator, when this machine has them."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from lockgate.bench.canned import CHAT_COMPLETION, CHAT_STREAM, chat_request
from lockgate.bench.load_wrk import find_wrk, run_wrk
from lockgate.bench.processes import free_port
from lockgate.bench.upstream_nginx import find_nginx, nginx_process

NGINX = find_nginx()
WRK = find_wrk()
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (apt-get install nginx)"
)
needs_wrk = pytest.mark.skipif(WRK is None, reason="wrk is not installed (apt-get install wrk)")


def _post(url: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=chat_request("gpt-4o-mini"), method="POST")
    with urllib.request.urlopen(request, timeout=5) as reply:
        return reply.status, reply.headers["Content-Type"], reply.read()


@needs_nginx
def test_nginx_serves_the_canned_bytes_and_stops(tmp_path: Path) -> None:
    assert NGINX is not None
    port = free_port()
    process = nginx_process(NGINX, tmp_path, port)
    with process:
        process.wait_ready(f"http://127.0.0.1:{port}/health", timeout=10)
        assert _post(f"http://127.0.0.1:{port}/v1/chat/completions") == (
            200,
            "application/json",
            CHAT_COMPLETION,
        )
        assert _post(f"http://127.0.0.1:{port}/stream/v1/chat/completions") == (
            200,
            "text/event-stream",
            CHAT_STREAM,
        )
        assert process.rss().processes == 2  # master and one worker
    assert not (tmp_path / "nginx.pid").exists()


@needs_nginx
@needs_wrk
def test_wrk_drives_nginx(tmp_path: Path) -> None:
    assert NGINX is not None and WRK is not None
    port = free_port()
    with nginx_process(NGINX, tmp_path, port) as process:
        process.wait_ready(f"http://127.0.0.1:{port}/health", timeout=10)
        result = run_wrk(
            WRK,
            f"http://127.0.0.1:{port}/v1/chat/completions",
            chat_request("gpt-4o-mini"),
            {"Content-Type": "application/json"},
            connections=4,
            duration_s=1.0,
            script_dir=tmp_path,
        )
    assert result.tool == "wrk"
    assert result.errors == 0
    assert result.requests > 1000
    assert 0 < result.p50_ms <= result.p99_ms
