"""Relay a completion stream to the client as Server-Sent Events.

Chunks go out as they arrive (nothing is buffered), a comment line keeps idle connections
alive, and a client that disconnects cancels the upstream request at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from lockgate.errors import LockgateError
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.http_response import start_stream

__all__ = ["relay_sse"]

KEEPALIVE = b": keep-alive\n\n"


async def _watch_disconnect(exchange: Exchange, relay: asyncio.Task[None]) -> None:
    while True:
        message = await exchange.receive()
        if message["type"] == "http.disconnect":
            relay.cancel()
            return


async def _keepalive(
    exchange: Exchange, lock: asyncio.Lock, last_sent: list[float], interval: float
) -> None:
    while True:
        await asyncio.sleep(interval)
        if time.monotonic() - last_sent[0] >= interval:
            async with lock:
                await exchange.send(
                    {"type": "http.response.body", "body": KEEPALIVE, "more_body": True}
                )
                last_sent[0] = time.monotonic()


async def relay_sse(
    exchange: Exchange,
    events: AsyncIterator[bytes],
    *,
    on_error: Callable[[LockgateError], bytes],
    close_upstream: Callable[[], object],
) -> None:
    """Send each ``events`` item as a body part. Errors after the first byte are sent in-band
    with ``on_error``; the upstream is closed whatever happens."""
    lock = asyncio.Lock()
    last_sent = [time.monotonic()]
    headers = exchange.response_headers()

    async def pump() -> None:
        await start_stream(exchange.send, headers)
        first = True
        try:
            async for payload in events:
                async with lock:
                    await exchange.send(
                        {"type": "http.response.body", "body": payload, "more_body": True}
                    )
                    last_sent[0] = time.monotonic()
                if first:
                    exchange.ttft_seconds = exchange.elapsed()
                    first = False
        except LockgateError as error:
            exchange.error_class = type(error).__name__
            async with lock:
                await exchange.send(
                    {"type": "http.response.body", "body": on_error(error), "more_body": True}
                )
        async with lock:
            await exchange.send({"type": "http.response.body", "body": b"", "more_body": False})

    relay = asyncio.current_task()
    assert relay is not None
    pump_task = asyncio.ensure_future(pump())
    watcher = asyncio.ensure_future(_watch_disconnect(exchange, pump_task))
    keepalive = asyncio.ensure_future(
        _keepalive(exchange, lock, last_sent, exchange.state.limits.stream_keepalive_seconds)
    )
    try:
        await pump_task
    except asyncio.CancelledError:
        if relay.cancelling():
            raise  # the server is cancelling us, not a client disconnect
        exchange.error_class = "ClientDisconnected"
    finally:
        watcher.cancel()
        keepalive.cancel()
        for task in (watcher, keepalive):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        result = close_upstream()
        if asyncio.iscoroutine(result):
            await result
