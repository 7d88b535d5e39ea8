"""Each routing strategy's choices under latencies, usage and prices scripted on the mock."""

from __future__ import annotations

import asyncio
import collections

import pytest

import lockgate
from lockgate.router import InMemoryRouterState, Router
from lockgate.router.state import Needs
from tests.router.conftest import MESSAGES, Deploy, MakeRouter, served_by


async def _serve(router: Router, n: int, model: str = "g") -> collections.Counter[str]:
    counts: collections.Counter[str] = collections.Counter()
    for _ in range(n):
        counts[served_by(await router.acompletion(model, MESSAGES))] += 1
    return counts


async def test_simple_shuffle_follows_weights(deploy: Deploy, make_router: MakeRouter) -> None:
    router = make_router(
        [deploy("g", "mock-heavy", weight=3), deploy("g", "mock-light", weight=1)],
    )
    counts = await _serve(router, 400)
    assert 0.68 < counts["mock-heavy"] / 400 < 0.82, counts


async def test_simple_shuffle_uses_rpm_as_weight(deploy: Deploy, make_router: MakeRouter) -> None:
    router = make_router([deploy("g", "mock-big", rpm=900), deploy("g", "mock-small", rpm=100)])
    picks = collections.Counter(
        [(await router.async_get_available_deployment("g")).model for _ in range(2000)]
    )
    assert 0.86 < picks["openai/mock-big"] / 2000 < 0.94, picks


async def test_least_busy_avoids_the_deployment_with_a_request_in_flight(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    router = make_router(
        [deploy("g", "mock-a"), deploy("g", "mock-b")], routing_strategy="least-busy"
    )
    # An open stream keeps one request in flight on whichever deployment served it.
    stream = await router.acompletion("g", MESSAGES, stream=True)
    busy = served_by(stream)
    counts = await _serve(router, 8)
    assert counts == {({"mock-a", "mock-b"} - {busy}).pop(): 8}
    await stream.aclose()  # type: ignore[union-attr]
    assert (await router.state.read(router._groups.groups["g"].ids, Needs(True))).in_flight == [
        0,
        0,
    ]


async def test_least_busy_spreads_concurrent_requests_evenly(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    router = make_router(
        [deploy("g", "mock-a-slow-100ms"), deploy("g", "mock-b-slow-100ms")],
        routing_strategy="least-busy",
    )
    results = await asyncio.gather(*(router.acompletion("g", MESSAGES) for _ in range(10)))
    counts = collections.Counter(served_by(r) for r in results)
    assert counts == {"mock-a-slow-100ms": 5, "mock-b-slow-100ms": 5}


async def test_latency_based_prefers_the_fastest(deploy: Deploy, make_router: MakeRouter) -> None:
    router = make_router(
        [deploy("g", "mock-tortoise-slow-150ms"), deploy("g", "mock-hare-slow-5ms")],
        routing_strategy="latency-based-routing",
    )
    counts = await _serve(router, 12)
    # Each is measured once (no figure counts as 0 s), then the fast one gets the rest.
    assert counts == {"mock-tortoise-slow-150ms": 1, "mock-hare-slow-5ms": 11}


async def test_latency_based_times_streams_to_their_first_token(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    # "drip" starts at once but sends slowly; "late" answers after 150 ms, then fast.
    router = make_router(
        [deploy("g", "mock-drip-tps-25"), deploy("g", "mock-late-slow-150ms")],
        routing_strategy="latency-based-routing",
    )
    served = []
    for _ in range(4):
        stream = await router.acompletion("g", MESSAGES, stream=True)
        served.append(served_by(stream))
        async for _chunk in stream:  # type: ignore[union-attr]
            pass
    assert served == [
        "mock-drip-tps-25",
        "mock-late-slow-150ms",
        "mock-drip-tps-25",
        "mock-drip-tps-25",
    ]
    snap = await router.state.read(router._groups.groups["g"].ids, Needs(latency=True))
    assert snap.latency is not None
    drip, late = snap.latency
    # A whole drip stream takes over 200 ms; its first token comes well before "late"'s.
    assert drip is not None and late is not None and drip < 0.1 < late


async def test_usage_based_stays_under_rpm_and_then_refuses(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    state = InMemoryRouterState(wall_clock=lambda: 6_000_000.0)  # one minute for the test
    router = make_router(
        [deploy("g", "mock-a", rpm=2), deploy("g", "mock-b", rpm=3)],
        routing_strategy="usage-based-routing-v2",
        state=state,
    )
    counts = await _serve(router, 5)
    assert counts == {"mock-a": 2, "mock-b": 3}
    with pytest.raises(lockgate.RateLimitError, match="rpm/tpm limit") as caught:
        await router.acompletion("g", MESSAGES)
    assert caught.value.retry_after is not None and caught.value.retry_after > 0


async def test_usage_based_sends_to_the_deployment_with_fewest_tokens(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    state = InMemoryRouterState(wall_clock=lambda: 6_000_000.0)
    router = make_router(
        [
            deploy("g", "mock-wordy", extra_headers={"x-mock-usage": "100,400"}),
            deploy("g", "mock-terse", extra_headers={"x-mock-usage": "10,10"}),
        ],
        routing_strategy="usage-based-routing",
        state=state,
    )
    counts = await _serve(router, 20)
    # Once "wordy" has used 500 tokens, "terse" takes 25 requests to catch up.
    assert counts["mock-wordy"] == 1 and counts["mock-terse"] == 19, counts


async def test_usage_based_counts_the_prompt_against_tpm(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    state = InMemoryRouterState(wall_clock=lambda: 6_000_000.0)
    router = make_router(
        [deploy("g", "mock-tight", tpm=50), deploy("g", "mock-roomy", tpm=100_000)],
        routing_strategy="usage-based-routing",
        state=state,
    )
    long_prompt = [{"role": "user", "content": "word " * 200}]
    for _ in range(3):
        response = await router.acompletion("g", long_prompt)
        assert served_by(response) == "mock-roomy"


async def test_cost_based_picks_the_cheapest_until_it_is_rate_limited(
    deploy: Deploy, make_router: MakeRouter, mock: lockgate.mock.MockServer
) -> None:
    router = make_router(
        [
            deploy("g", "mock-dear", input_cost_per_token=1e-5, output_cost_per_token=3e-5),
            deploy("g", "mock-cheap", input_cost_per_token=1e-7, output_cost_per_token=2e-7),
        ],
        routing_strategy="cost-based-routing",
        num_retries=1,
    )
    assert await _serve(router, 5) == {"mock-cheap": 5}
    # The provider rate-limits the cheap one: it cools down for its retry-after, the
    # request is retried on the dear one, and the cheap one is back once the wait is over.
    mock.script([{"model": "mock-cheap", "status": 429, "retry_after_s": 0.3}])
    response = await router.acompletion("g", MESSAGES)
    assert served_by(response) == "mock-dear"
    assert response._hidden_params["attempted_retries"] == 1  # type: ignore[union-attr]
    assert await _serve(router, 3) == {"mock-dear": 3}
    await asyncio.sleep(0.35)
    assert await _serve(router, 3) == {"mock-cheap": 3}


async def test_cost_based_reads_prices_from_the_model_table(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    router = make_router(
        [deploy("g", "gpt-4o"), deploy("g", "gpt-4o-mini")], routing_strategy="cost-based-routing"
    )
    assert await _serve(router, 3) == {"gpt-4o-mini": 3}


async def test_order_tiers_are_used_in_priority(
    deploy: Deploy, make_router: MakeRouter, mock: lockgate.mock.MockServer
) -> None:
    router = make_router(
        [
            deploy("g", "mock-backup", order=2),
            deploy("g", "mock-primary-a", order=1),
            deploy("g", "mock-primary-b", order=1),
            deploy("g", "mock-unordered"),
        ],
        cooldown_time=0.3,
        allowed_fails=0,
        num_retries=3,
    )
    counts = await _serve(router, 40)
    assert set(counts) == {"mock-primary-a", "mock-primary-b"}
    mock.script(
        [
            {"model": "mock-primary-a", "status": 503, "retry_after_s": 0.3},
            {"model": "mock-primary-b", "status": 503, "retry_after_s": 0.3},
        ]
    )
    response = await router.acompletion("g", MESSAGES)
    assert served_by(response) == "mock-backup"
    assert await _serve(router, 3) == {"mock-backup": 3}
    await asyncio.sleep(0.35)
    assert set(await _serve(router, 10)) <= {"mock-primary-a", "mock-primary-b"}


async def test_tag_routing(deploy: Deploy, make_router: MakeRouter) -> None:
    router = make_router(
        [
            deploy("g", "mock-eu", tags=["eu"]),
            deploy("g", "mock-us", tags=["us", "default"]),
            deploy("h", "mock-h-eu", tags=["eu"]),
        ],
        enable_tag_filtering=True,
    )
    for _ in range(5):
        eu = await router.acompletion("g", MESSAGES, metadata={"tags": ["eu"]})
        assert served_by(eu) == "mock-eu"
        plain = await router.acompletion("g", MESSAGES)
        assert served_by(plain) == "mock-us"  # "default" serves requests without tags
        other = await router.acompletion("g", MESSAGES, metadata={"tags": ["apac"]})
        assert served_by(other) == "mock-us"  # and tags nobody has
    with pytest.raises(lockgate.BadRequestError, match="tags"):
        await router.acompletion("h", MESSAGES, metadata={"tags": ["us"]})


async def test_max_parallel_requests_steers_to_deployments_with_room(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    router = make_router(
        [
            deploy("g", "mock-narrow", max_parallel_requests=1, order=1),
            deploy("g", "mock-wide", order=2),
        ]
    )
    stream = await router.acompletion("g", MESSAGES, stream=True)
    assert served_by(stream) == "mock-narrow"
    assert await _serve(router, 3) == {"mock-wide": 3}  # narrow is full while the stream runs
    await stream.aclose()  # type: ignore[union-attr]
    assert await _serve(router, 3) == {"mock-narrow": 3}
