"""Gateway CPU per request for a virtual key (rpm and budget limits), with no network: the
real app, control plane (SQLite in a temporary folder, or ``--db``), limits and spend
writer, driven through ASGI in-process; the transport answers a canned OpenAI response.

    .venv/bin/python scripts/bench_vkey_inprocess.py [--requests 5000] [--profile] [--master]
        [--redis redis://127.0.0.1:6379/0] [--db postgresql://...]

``--master`` sends the master key instead (no limits): the difference between the two runs
is what a virtual key costs. Under callgrind, compare two ``--requests`` counts.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

from lockgate.config import parse_config
from lockgate.gateway.app import GatewayApp
from lockgate.gateway.control_plane import ControlPlane
from lockgate.gateway.factory import create_app
from lockgate.gateway.server import tune_garbage_collector
from lockgate.gateway.state import build_state
from lockgate.observability import AccessLog
from lockgate.security import Secret
from lockgate.transport.messages import Timeouts, UpstreamRequest, UpstreamResponse

MASTER = "sk-bench-master"
CONFIG = """
model_list:
  - model_name: bench-model
    litellm_params: {model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:9/v1", api_key: sk-x}
lockgate_settings:
  salt_key: "bench-salt-key-0123456789abcdef0123456789"
"""
UPSTREAM_BODY = (
    b'{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",'
    b'"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},'
    b'"finish_reason":"stop","logprobs":null}],'
    b'"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}'
)
REQUEST_BODY = b'{"model":"bench-model","messages":[{"role":"user","content":"Hello there"}]}'
KEY_BODY = json.dumps({"rpm_limit": 10_000_000, "max_budget": 1e9, "models": []}).encode()


def _config(redis_url: str | None, db_url: str | None) -> str:
    text = CONFIG
    if redis_url:
        text += f'router_settings:\n  redis_url: "{redis_url}"\n'
    if db_url:
        text += f'general_settings:\n  database_url: "{db_url}"\n'
    return text


async def _call(app: GatewayApp, path: str, key: str, body: bytes) -> list[Any]:
    sent: list[Any] = []
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {key}".encode()),
        ],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def run(args: argparse.Namespace) -> None:
    config = parse_config(_config(args.redis, args.db), source="<bench>", env={})
    with tempfile.TemporaryDirectory(prefix="lockgate-bench-") as tmp:
        plane = ControlPlane(config, Path(tmp))
        await plane.start()
        state = build_state(config, master_key=Secret(MASTER), control=plane)
        with open(os.devnull, "w") as sink:  # noqa: ASYNC230 - once, before measuring
            app = create_app(state, access_log=AccessLog(sink))
            try:
                await _measure(app, state, args)
            finally:
                await state.aclose()
                await plane.aclose()


async def _measure(app: GatewayApp, state: Any, args: argparse.Namespace) -> None:
    async def canned(request: UpstreamRequest, timeouts: Timeouts) -> UpstreamResponse:
        return UpstreamResponse(200, {"content-type": "application/json"}, UPSTREAM_BODY, 1e-4)

    state.client.transport.send = canned
    key = MASTER
    if not args.master:
        answer = await _call(app, "/key/generate", MASTER, KEY_BODY)
        assert answer[0]["status"] == 200, answer
        key = json.loads(answer[1]["body"])["key"]
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/v1/chat/completions",
        "query_string": b"",
        "headers": [
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {key}".encode()),
        ],
    }
    # Only the latest messages are kept: a list growing for the whole run would make the
    # collector's full passes slower and slower.
    sent: deque[Any] = deque(maxlen=4)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": REQUEST_BODY, "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    for _ in range(300):  # warm up caches
        await app(scope, receive, send)
    assert sent[-2]["status"] == 200, list(sent)
    await asyncio.sleep(1.5)  # the spend writer flushes the warm-up's records
    tune_garbage_collector()  # as `lockgate serve` does once the app is built
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for i in range(args.requests):
        await app(scope, receive, send)
        if i % 100 == 99:
            await asyncio.sleep(0)  # let background tasks (the spend writer) run
    await asyncio.sleep(1.5)  # the spend writer flushes what these requests queued
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started - 1.5
    assert sent[-2]["status"] == 200, list(sent)
    kind = "master key" if args.master else "virtual key"
    print(f"{elapsed / args.requests * 1e6:.1f} µs per request ({args.requests}, {kind})")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--master", action="store_true", help="send the master key instead")
    parser.add_argument("--redis", help="a Redis URL: limits and router state there")
    parser.add_argument("--db", help="a database URL (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
