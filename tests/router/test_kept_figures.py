"""In-flight, usage and latency figures are kept (``state.begin`` / ``end``) only for groups
whose routing reads them: with Redis each kept attempt cost two queued script operations
that nothing read. Cooldowns are kept either way."""

from __future__ import annotations

from typing import Any

import pytest

from lockgate.mock import MockServer
from lockgate.router.state import InMemoryRouterState, LatencyUpdate, Needs
from tests.router.conftest import MESSAGES, Deploy, MakeRouter


class RecordingState(InMemoryRouterState):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []

    async def begin(self, deployment_id: str) -> None:
        self.calls.append(("begin", deployment_id))
        await super().begin(deployment_id)

    async def end(self, deployment_id: str, *, tokens: int, latency: LatencyUpdate | None) -> None:
        self.calls.append(("end", deployment_id))
        await super().end(deployment_id, tokens=tokens, latency=latency)

    async def record_failure(
        self, deployment_id: str, *, allowed_fails: int, window: float, cooldown: float
    ) -> bool:
        self.calls.append(("failure", deployment_id))
        return await super().record_failure(
            deployment_id, allowed_fails=allowed_fails, window=window, cooldown=cooldown
        )


async def _one_call_and_one_stream(router: Any) -> None:
    await router.acompletion("g", MESSAGES)
    stream = await router.acompletion("g", MESSAGES, stream=True)
    async for _ in stream:
        pass


def _kinds(state: RecordingState) -> list[str]:
    return [kind for kind, _ in state.calls]


async def test_a_simple_shuffle_group_keeps_no_figures(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    state = RecordingState()
    router = make_router([deploy("g", "mock-a"), deploy("g", "mock-b")], state=state)
    await _one_call_and_one_stream(router)
    assert state.calls == []


@pytest.mark.parametrize(
    "settings, params",
    [
        ({"routing_strategy": "least-busy"}, {}),
        ({"routing_strategy": "latency-based-routing"}, {}),
        ({"routing_strategy": "usage-based-routing-v2"}, {}),
        ({}, {"max_parallel_requests": 5}),  # simple-shuffle, but the group limits parallel
    ],
)
async def test_a_group_whose_routing_reads_figures_keeps_them(
    deploy: Deploy, make_router: MakeRouter, settings: dict[str, Any], params: dict[str, Any]
) -> None:
    state = RecordingState()
    router = make_router(
        [deploy("g", "mock-a", **params), deploy("g", "mock-b")], state=state, **settings
    )
    await _one_call_and_one_stream(router)
    assert _kinds(state) == ["begin", "end", "begin", "end"]
    assert state.calls[0][1] == state.calls[1][1]  # each attempt begins and ends on one id
    assert state.calls[2][1] == state.calls[3][1]


async def test_failures_still_cool_a_deployment_down_when_no_figures_are_kept(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    state = RecordingState()
    router = make_router(
        [deploy("g", "mock-a", order=1), deploy("g", "mock-b", order=2)],
        allowed_fails=0,
        state=state,
    )
    mock.script([{"model": "mock-a", "status": 503}])
    response = await router.acompletion("g", MESSAGES)
    assert str(response._hidden_params["deployment"]).endswith("mock-b")  # type: ignore[union-attr]
    assert _kinds(state) == ["failure"]
    ids = router._groups.groups["g"].ids
    snapshot = await state.read(ids, Needs())
    assert snapshot.cooldown_left[0] > 0 and snapshot.cooldown_left[1] <= 0
