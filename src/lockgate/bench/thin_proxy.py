"""The thinnest useful pass-through, the yardstick for the gateway's own cost.

An aiohttp server that sends each request body, unchanged, to one upstream URL through one
pooled aiohttp session, and returns the upstream's status, content type and bytes. No
parsing, no auth, no logging. Run it as

    python -m lockgate.bench.thin_proxy --port 4100 --upstream http://127.0.0.1:8080/v1/chat/completions

``--processes N`` runs N such servers sharing the port (SO_REUSEPORT), the same process count
as a gateway started with ``--workers N``, so the ratio compares equal resources.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence

import aiohttp
from aiohttp import web

from lockgate.bench.canned import UPSTREAM_KEY

__all__ = ["create_thin_proxy", "main"]

_SESSION: web.AppKey[aiohttp.ClientSession] = web.AppKey("session", aiohttp.ClientSession)


def create_thin_proxy(upstream: str) -> web.Application:
    """Every POST, whatever its path, goes to `upstream`; `GET /health` answers 200."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {UPSTREAM_KEY}"}

    async def session_context(app: web.Application) -> AsyncIterator[None]:
        connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=None)
        async with aiohttp.ClientSession(connector=connector) as session:
            app[_SESSION] = session
            yield

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        async with request.app[_SESSION].post(upstream, data=body, headers=headers) as reply:
            data = await reply.read()
            return web.Response(body=data, status=reply.status, content_type=reply.content_type)

    async def health(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.cleanup_ctx.append(session_context)
    app.router.add_get("/health", health)
    app.router.add_post("/{tail:.*}", forward)
    return app


def _event_loop_factory() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # the gateway's extra is not installed: the standard loop
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="thin aiohttp pass-through for lockgate bench")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="URL every POST is sent to")
    parser.add_argument("--processes", type=int, default=1, help="servers sharing the port")
    args = parser.parse_args(argv)
    shared = args.processes > 1
    # The extra servers are children of this one, so stopping it (SIGTERM) stops them all.
    children = [
        subprocess.Popen(  # noqa: S603 - this module, with the arguments it was given
            [
                sys.executable,
                "-m",
                "lockgate.bench.thin_proxy",
                "--host",
                args.host,
                "--port",
                str(args.port),
                "--upstream",
                args.upstream,
                "--processes",
                "0",
            ]
        )
        for _ in range(args.processes - 1)
    ]
    try:
        web.run_app(
            create_thin_proxy(args.upstream),
            host=args.host,
            port=args.port,
            access_log=None,
            print=None,
            backlog=1024,
            reuse_port=shared or args.processes == 0,
            loop=_event_loop_factory(),
        )
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=10)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
