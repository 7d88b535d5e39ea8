"""A small closed-loop load generator: `python -m lockgate.mock.load --url URL`.

Measures how many non-stream chat requests per second a server answers at a given
concurrency (the mock itself, or a gateway in front of it). Not a benchmark suite: the
gateway's comparative benchmark is `lockgate bench`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass, field

import aiohttp
import orjson

__all__ = ["LoadResult", "run_load"]


@dataclass(slots=True)
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        lat = sorted(self.latencies_ms) or [0.0]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return (
            f"{self.requests} requests in {self.seconds:.2f}s: {self.per_second:,.0f} req/s, "
            f"errors {self.errors}, latency p50 {statistics.median(lat):.2f} ms, "
            f"p99 {p99:.2f} ms"
        )


async def run_load(
    url: str, concurrency: int, total: int, model: str = "gpt-4o-mini"
) -> LoadResult:
    """POST `total` chat completions to `url` (a full chat URL), `concurrency` at a time."""
    body = orjson.dumps({"model": model, "messages": [{"role": "user", "content": "Hello!"}]})
    headers = {"authorization": "Bearer sk-load", "content-type": "application/json"}
    result = LoadResult()
    remaining = total

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                ok = response.status == 200
            result.latencies_ms.append((time.perf_counter() - started) * 1000.0)
            result.requests += 1
            result.errors += 0 if ok else 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        # Warm the connection pool so the measurement excludes connection set-up.
        async def warm() -> None:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()

        await asyncio.gather(*(warm() for _ in range(concurrency)))
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8089/v1/chat/completions")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--model", default="gpt-4o-mini")
    args = parser.parse_args()
    result = asyncio.run(run_load(args.url, args.concurrency, args.requests, args.model))
    print(result.summary())


if __name__ == "__main__":
    main()
