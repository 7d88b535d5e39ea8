"""``cost-based-routing``: the cheapest deployment (input + output price per token) that is
under its rpm/tpm limits; ties at random. Prices come from the deployment
(``litellm_params`` / ``model_info``) or lockgate's model table; an unknown price ranks last.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from lockgate.router.model_group import ModelGroup
from lockgate.router.request import RequestContext
from lockgate.router.state.base import Needs, Snapshot
from lockgate.router.strategies.base import under_limits

__all__ = ["CostBased"]


class CostBased:
    name = "cost-based-routing"
    needs = Needs(usage=True)

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def admit(
        self, group: ModelGroup, candidates: list[int], snapshot: Snapshot, ctx: RequestContext
    ) -> list[int]:
        return under_limits(group, candidates, snapshot, ctx)

    def pick(
        self, group: ModelGroup, candidates: Sequence[int], snapshot: Snapshot, ctx: RequestContext
    ) -> int:
        costs = group.costs
        cheapest = min(costs[i] for i in candidates)
        best = [i for i in candidates if costs[i] == cheapest]
        return best[0] if len(best) == 1 else best[int(self._rng.random() * len(best))]
