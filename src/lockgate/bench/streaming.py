"""Streaming figures: time to first token and gaps between chunks, and many streams held open.

Time to first token is measured from sending the request to the first SSE event whose delta
carries text (the role-only opening chunk does not count); a gap is the time between two
consecutive `data:` events. Both are measured the same way directly against the upstream and
through the gateway, so their difference is what the gateway adds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

import aiohttp
import orjson

from lockgate.bench.load_builtin import percentile
from lockgate.bench.processes import RssSample
from lockgate.bench.results import HoldResult, StreamResult

__all__ = ["StreamTiming", "hold_streams", "measure_streams", "read_stream"]

_DONE = b"[DONE]"


@dataclass(slots=True)
class StreamTiming:
    """One stream as the client saw it."""

    ok: bool = False
    error: str | None = None
    ttft_s: float | None = None
    arrivals: list[float] = field(default_factory=list)  # seconds since the request was sent


def _has_text(payload: bytes) -> bool:
    try:
        event = orjson.loads(payload)
        delta = event["choices"][0]["delta"]
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
        return False
    return isinstance(delta, dict) and bool(delta.get("content"))


async def read_stream(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: Mapping[str, str]
) -> StreamTiming:
    """Send one streaming request and time every `data:` event until `[DONE]`."""
    timing = StreamTiming()
    started = time.perf_counter()
    async with session.post(url, data=body, headers=headers) as reply:
        if reply.status != 200:
            body = await reply.read()
            timing.error = f"HTTP {reply.status}: {body[:200].decode(errors='replace')}"
            return timing
        async for raw in reply.content:
            line = raw.strip()
            if not line.startswith(b"data:"):
                continue  # blank separators and ": keep-alive" comments
            now = time.perf_counter() - started
            payload = line[5:].strip()
            if payload == _DONE:
                timing.ok = True
                break
            timing.arrivals.append(now)
            if timing.ttft_s is None and _has_text(payload):
                timing.ttft_s = now
    if not timing.ok:
        timing.error = "the stream ended without data: [DONE]"
    elif timing.ttft_s is None:
        timing.error = "no chunk carried text"
    return timing


async def measure_streams(
    target: str,
    case: str,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    count: int,
) -> StreamResult:
    """`count` streams one after another on one keep-alive connection (after one warm-up)."""
    ttfts: list[float] = []
    gaps: list[float] = []
    chunks = 0
    errors = 0
    first_error: str | None = None
    timeout = aiohttp.ClientTimeout(total=120.0)
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await read_stream(session, url, body, headers)  # warm-up: connection and caches
        for _ in range(count):
            try:
                timing = await read_stream(session, url, body, headers)
            except (TimeoutError, aiohttp.ClientError) as exc:
                timing = StreamTiming(error=f"{type(exc).__name__}: {exc}")
            if timing.error is not None or timing.ttft_s is None:
                errors += 1
                first_error = first_error or timing.error
                continue
            ttfts.append(timing.ttft_s)
            chunks += len(timing.arrivals)
            gaps.extend(b - a for a, b in zip(timing.arrivals, timing.arrivals[1:], strict=False))
    ttfts.sort()
    gaps.sort()
    done = max(1, len(ttfts))
    return StreamResult(
        target=target,
        case=case,
        streams=count,
        errors=errors,
        chunks_per_stream=chunks / done,
        ttft_p50_ms=percentile(ttfts, 0.50) * 1000,
        ttft_p99_ms=percentile(ttfts, 0.99) * 1000,
        gap_p50_ms=percentile(gaps, 0.50) * 1000,
        gap_p99_ms=percentile(gaps, 0.99) * 1000,
        first_error=first_error,
    )


async def _sample_peak(
    probe: Callable[[], Awaitable[RssSample]], stop: asyncio.Event, interval_s: float
) -> RssSample:
    peak = await probe()
    while not stop.is_set():
        sample = await probe()
        if sample.total_mb > peak.total_mb:
            peak = sample
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)
    return peak


def _first_error(outcomes: Sequence[StreamTiming | BaseException]) -> str | None:
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            return f"{type(outcome).__name__}: {outcome}"
        if outcome.error is not None:
            return outcome.error
    return None


async def hold_streams(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    count: int,
    hold_s: float,
    probe: Callable[[], Awaitable[RssSample]],
    settle_s: float = 3.0,
    later_s: float = 20.0,
) -> HoldResult:
    """Open `count` streams at once (each lasting about `hold_s`), sampling the server's RSS.

    After they end, the client's connections are closed; the server's RSS is read again
    `settle_s` later, and once more `later_s` after the end (by then idle pooled upstream
    connections have usually timed out too).
    """
    before = await probe()
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_peak(probe, stop, 0.2))
    timeout = aiohttp.ClientTimeout(total=hold_s + 120.0)
    connector = aiohttp.TCPConnector(limit=0)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            outcomes = await asyncio.gather(
                *(read_stream(session, url, body, headers) for _ in range(count)),
                return_exceptions=True,
            )
    finally:
        stop.set()
        peak = max(before, await sampler, key=lambda sample: sample.total_mb)
    completed = sum(1 for o in outcomes if isinstance(o, StreamTiming) and o.error is None)
    first_error = _first_error(outcomes)
    ended = time.perf_counter()
    await asyncio.sleep(settle_s)
    after = await probe()
    await asyncio.sleep(max(0.0, ended + later_s - time.perf_counter()))
    later = await probe()
    return HoldResult(
        streams=count,
        completed=completed,
        errors=count - completed,
        hold_s=hold_s,
        rss_before=before,
        rss_peak=peak,
        rss_after=after,
        rss_later=later,
        settle_s=settle_s,
        later_s=max(settle_s, later_s),
        first_error=first_error,
    )
