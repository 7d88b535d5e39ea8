"""The built-in load generator, for machines without wrk: aiohttp, N keep-alive connections.

Each of N tasks sends the same POST in a loop on its own connection until the duration ends;
every latency is kept (a 10 s run at a few thousand requests/s is a few hundred kB). It runs
in the benchmark's own process, so on a small machine it competes with the servers for CPU:
wrk is preferred, and the report says which one ran.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Mapping, Sequence

import aiohttp

from lockgate.bench.results import LoadResult

__all__ = ["percentile", "run_builtin"]


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending sequence (0.0 when it is empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(fraction * len(sorted_values))))
    return sorted_values[rank - 1]


async def _worker(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    deadline: float,
    latencies: list[float],
) -> int:
    errors = 0
    clock = time.perf_counter
    while clock() < deadline:
        started = clock()
        try:
            async with session.post(url, data=body, headers=headers) as reply:
                await reply.read()
                ok = 200 <= reply.status < 300
        except (TimeoutError, aiohttp.ClientError):
            ok = False
            await asyncio.sleep(0.01)  # a refused connection must not spin the loop
        if ok:
            latencies.append(clock() - started)
        else:
            errors += 1
    return errors


async def run_builtin(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    connections: int,
    duration_s: float,
) -> LoadResult:
    """Drive `url` with `connections` concurrent keep-alive connections for `duration_s`."""
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    timeout = aiohttp.ClientTimeout(total=10.0)
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        deadline = started + duration_s
        error_counts = await asyncio.gather(
            *(_worker(session, url, body, headers, deadline, latencies) for _ in range(connections))
        )
        elapsed = time.perf_counter() - started
    latencies.sort()
    return LoadResult(
        tool="builtin",
        connections=connections,
        duration_s=elapsed,
        requests=len(latencies),
        errors=sum(error_counts),
        requests_per_s=len(latencies) / elapsed if elapsed > 0 else 0.0,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )
