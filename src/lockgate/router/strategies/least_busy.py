"""``least-busy``: the deployment with the fewest requests in flight (ties at random)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from lockgate.router.model_group import ModelGroup
from lockgate.router.request import RequestContext
from lockgate.router.state.base import Needs, Snapshot

__all__ = ["LeastBusy"]


class LeastBusy:
    name = "least-busy"
    needs = Needs(in_flight=True)

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def admit(
        self, group: ModelGroup, candidates: list[int], snapshot: Snapshot, ctx: RequestContext
    ) -> list[int]:
        return candidates

    def pick(
        self, group: ModelGroup, candidates: Sequence[int], snapshot: Snapshot, ctx: RequestContext
    ) -> int:
        busy = snapshot.in_flight
        assert busy is not None
        least = min(busy[i] for i in candidates)
        idle = [i for i in candidates if busy[i] == least]
        return idle[0] if len(idle) == 1 else idle[int(self._rng.random() * len(idle))]
