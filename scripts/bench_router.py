"""Micro-benchmark of the router's own cost per request, with no network.

Two figures per strategy, at N deployments in one group (default 10):

- pick: choosing a deployment and keeping the books (state read, filters, strategy,
  begin/end of the attempt), as the router does for every attempt;
- request: everything ``Router.acompletion`` adds around the client call (argument split,
  group resolution, the pick, call kwargs, hidden params), measured as the time of a routed
  call to a client that answers at once, minus the time of calling that client directly.

Usage: ``.venv/bin/python scripts/bench_router.py [--deployments 10] [--iterations 20000]
[--redis redis://127.0.0.1:6379/0]`` (with --redis, the pick is also timed on Redis state,
where it is dominated by the round trips).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from lockgate.client import Client, CompletionStream
from lockgate.router import Router
from lockgate.router.request import RequestContext
from lockgate.router.state import InMemoryRouterState, LatencyUpdate, RouterState
from lockgate.types import ChatCompletion, Choice, Message, Usage

STRATEGIES = (
    "simple-shuffle",
    "least-busy",
    "latency-based-routing",
    "usage-based-routing-v2",
    "cost-based-routing",
)
MESSAGES = [{"role": "user", "content": "Hello there, how are you today?"}]


class InstantClient(Client):
    """Answers every completion at once, without a connection."""

    async def acompletion(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: bool = False,
        **kwargs: Any,
    ) -> ChatCompletion | CompletionStream:
        return ChatCompletion(
            id="x",
            model=model,
            choices=[Choice(message=Message(content="hi"), finish_reason="stop")],
            usage=Usage(prompt_tokens=10, completion_tokens=2, total_tokens=12),
        )


def model_list(n: int) -> list[dict[str, Any]]:
    return [
        {
            "model_name": "g",
            "litellm_params": {
                "model": f"openai/bench-{i}",
                "api_base": f"https://region-{i}.example/v1",
                "api_key": f"sk-bench-{i}",
                "rpm": 1_000_000_000,
                "tpm": 1_000_000_000_000,
                "input_cost_per_token": 1e-6 * (1 + i % 3),
                "output_cost_per_token": 2e-6,
            },
        }
        for i in range(n)
    ]


async def per_call_us(
    body: Callable[[], Awaitable[object]], iterations: int, rounds: int = 5
) -> float:
    """Median over ``rounds`` of the mean time of one call, in microseconds."""
    for _ in range(min(iterations, 2000)):
        await body()
    results = []
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter_ns()
        for _ in range(iterations):
            await body()
        results.append((time.perf_counter_ns() - started) / iterations / 1000.0)
    return statistics.median(results)


async def pick_cost(router: Router, state: RouterState, iterations: int) -> float:
    executor = router._executor
    group = executor.route("g").group
    sample = LatencyUpdate(0.05, 0.2, 3600.0)

    async def pick() -> None:
        ctx = RequestContext(messages=MESSAGES)
        selection = await executor.selector.select(group, ctx)
        deployment_id = selection.deployment.id
        await state.begin(deployment_id)
        await state.end(deployment_id, tokens=12, latency=sample)

    return await per_call_us(pick, iterations)


async def request_cost(router: Router, client: Client, iterations: int) -> float:
    async def routed() -> object:
        return await router.acompletion("g", MESSAGES, temperature=0.2)

    async def direct() -> object:
        return await client.acompletion(
            "openai/bench-0", MESSAGES, temperature=0.2, api_key="k", num_retries=0
        )

    return await per_call_us(routed, iterations) - await per_call_us(direct, iterations)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployments", type=int, default=10)
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--redis", help="also time the pick on Redis state at this URL")
    args = parser.parse_args()
    client = InstantClient(env={})
    redis_column = " | pick, Redis state (µs) " if args.redis else " "
    print(f"{args.deployments} deployments in one group, {args.iterations} iterations, median of 5")
    print()
    print(f"| strategy | pick, in-memory (µs) | request overhead (µs){redis_column}|")
    print("|---|---:|---:|" + ("---:|" if args.redis else ""))
    for strategy in STRATEGIES:
        state = InMemoryRouterState()
        router = Router(
            model_list=model_list(args.deployments),
            routing_strategy=strategy,
            client=client,
            state=state,
        )
        pick = await pick_cost(router, state, args.iterations)
        request = await request_cost(router, client, args.iterations)
        row = f"| {strategy} | {pick:.1f} | {request:.1f} |"
        if args.redis:
            from lockgate.router.state.redis_state import RedisRouterState

            prefix = f"lockgate-bench:{uuid.uuid4().hex}"
            redis_state = RedisRouterState.from_url(args.redis, prefix=prefix)
            redis_router = Router(
                model_list=model_list(args.deployments),
                routing_strategy=strategy,
                client=client,
                state=redis_state,
            )
            try:
                row += f" {await pick_cost(redis_router, redis_state, args.iterations // 10):.1f} |"
            finally:
                await redis_state.flush()  # queued writes land before the keys are deleted
                keys = [k async for k in redis_state._redis.scan_iter(match="{" + prefix + "}*")]
                if keys:
                    await redis_state._redis.delete(*keys)
                await redis_router.aclose()
                await redis_state.aclose()
        print(row, flush=True)
        await router.aclose()
    await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
