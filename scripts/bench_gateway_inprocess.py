"""Gateway CPU per request with no network: the real app, router and client, driven through
ASGI in-process, with the transport answering a canned OpenAI response.

    .venv/bin/python scripts/bench_gateway_inprocess.py [--requests 5000] [--profile]

It isolates lockgate's own per-request work from uvicorn, aiohttp and the kernel, which
`lockgate bench` measures together.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import time
from collections import deque
from typing import Any

from lockgate.config import parse_config
from lockgate.gateway.factory import create_app
from lockgate.gateway.server import tune_garbage_collector
from lockgate.gateway.state import build_state
from lockgate.observability import AccessLog
from lockgate.security import Secret
from lockgate.transport.messages import Timeouts, UpstreamRequest, UpstreamResponse

CONFIG = """
model_list:
  - model_name: bench-model
    litellm_params: {model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:9/v1", api_key: sk-x}
"""
UPSTREAM_BODY = (
    b'{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",'
    b'"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},'
    b'"finish_reason":"stop","logprobs":null}],'
    b'"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}'
)
REQUEST_BODY = b'{"model":"bench-model","messages":[{"role":"user","content":"Hello there"}]}'


async def run(requests: int, profile: bool) -> None:
    config = parse_config(CONFIG, source="<bench>", env={})
    state = build_state(config, master_key=Secret("sk-bench-master"))
    with open(os.devnull, "w") as sink:  # noqa: ASYNC230 - once, before measuring
        app = create_app(state, access_log=AccessLog(sink))

        async def canned(request: UpstreamRequest, timeouts: Timeouts) -> UpstreamResponse:
            return UpstreamResponse(200, {"content-type": "application/json"}, UPSTREAM_BODY, 1e-4)

        state.client.transport.send = canned  # type: ignore[method-assign]
        scope: dict[str, Any] = {
            "type": "http",
            "method": "POST",
            "path": "/v1/chat/completions",
            "query_string": b"",
            "headers": [
                (b"content-type", b"application/json"),
                (b"authorization", b"Bearer sk-bench-master"),
            ],
        }
        # Only the latest messages are kept: a list growing for the whole run would make
        # the collector's full passes slower and slower.
        sent: deque[Any] = deque(maxlen=4)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": REQUEST_BODY, "more_body": False}

        async def send(message: Any) -> None:
            sent.append(message)

        for _ in range(200):  # warm up caches
            await app(scope, receive, send)
        assert sent[-2]["status"] == 200, list(sent)
        tune_garbage_collector()  # as `lockgate serve` does once the app is built
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(requests):
            await app(scope, receive, send)
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        print(f"{elapsed / requests * 1e6:.1f} µs per request ({requests} requests, in-process)")
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        await state.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.profile))


if __name__ == "__main__":
    main()
