"""Closing the idle keep-alive connections (the gateway does it once idle after a burst)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from lockgate.transport import EgressPolicy, HttpTransport, Timeouts, UpstreamRequest


async def test_close_idle_closes_only_idle_connections_and_the_pool_goes_on() -> None:
    release = asyncio.Event()

    async def reply(request: web.Request) -> web.Response:
        if request.query.get("hold"):
            await release.wait()
        else:
            await asyncio.sleep(0.05)  # long enough for the requests below to overlap
        return web.Response(body=await request.read())

    app = web.Application()
    app.router.add_post("/echo", reply)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    transport = HttpTransport(EgressPolicy(allow_any_host=True))
    url = f"http://127.0.0.1:{port}/echo"
    try:
        echo = UpstreamRequest("POST", url, {}, b"ping")
        await asyncio.gather(*(transport.send(echo, Timeouts()) for _ in range(3)))
        busy = asyncio.create_task(
            transport.send(UpstreamRequest("POST", url + "?hold=1", {}, b"busy"), Timeouts())
        )
        await asyncio.sleep(0.05)
        assert transport.open_connections() == 3  # one of them busy again, two idle
        assert transport.close_idle() == 2
        assert transport.open_connections() == 1  # the busy one is left alone
        release.set()
        assert (await busy).body == b"busy"
        again = await transport.send(echo, Timeouts())  # reuses the one that was busy
        assert again.body == b"ping"
        assert transport.open_connections() == 1
    finally:
        release.set()
        await transport.aclose()
        await runner.cleanup()
