"""``simple-shuffle``: a weighted random pick (``weight``, else ``rpm``, else ``tpm``)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from lockgate.router.model_group import ModelGroup
from lockgate.router.request import RequestContext
from lockgate.router.state.base import Needs, Snapshot

__all__ = ["SimpleShuffle"]


class SimpleShuffle:
    name = "simple-shuffle"
    needs = Needs()

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def admit(
        self, group: ModelGroup, candidates: list[int], snapshot: Snapshot, ctx: RequestContext
    ) -> list[int]:
        return candidates

    def pick(
        self, group: ModelGroup, candidates: Sequence[int], snapshot: Snapshot, ctx: RequestContext
    ) -> int:
        weights = group.weights
        total = 0.0
        for i in candidates:
            total += weights[i]
        if total <= 0.0:  # the weighted deployments are all out: spread evenly
            return candidates[int(self._rng.random() * len(candidates))]
        point = self._rng.random() * total
        for i in candidates:
            point -= weights[i]
            if point < 0.0:
                return i
        return candidates[-1]
