"""``latency-based-routing``: the lowest moving-average latency.

A non-stream call's sample is its whole duration; a stream's is its time to first token.
Deployments with no recent sample count as 0 s, so each is tried (and measured) early.
``routing_strategy_args``: ``lowest_latency_buffer`` (pick at random among deployments
within this fraction of the fastest; LiteLLM's name), ``ttl`` (seconds a figure stays
valid), ``max_latency_list_size`` (the average spans about this many samples).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from lockgate.router.model_group import ModelGroup
from lockgate.router.request import RequestContext
from lockgate.router.state.base import LatencyUpdate, Needs, Snapshot

__all__ = ["LatencyBased"]


def _positive(args: Mapping[str, Any], name: str, default: float) -> float:
    value = args.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"routing_strategy_args.{name} must be a number >= 0")
    return float(value)


class LatencyBased:
    name = "latency-based-routing"
    needs = Needs(latency=True)
    ARGS = frozenset({"lowest_latency_buffer", "ttl", "max_latency_list_size"})

    def __init__(self, rng: random.Random, args: Mapping[str, Any]) -> None:
        self._rng = rng
        self.buffer = _positive(args, "lowest_latency_buffer", 0.0)
        self.ttl = _positive(args, "ttl", 3600.0)
        size = _positive(args, "max_latency_list_size", 10.0)
        # An exponential average with alpha 2/(N+1) weighs samples like an N-sample mean.
        self.alpha = 2.0 / (max(1.0, size) + 1.0)

    def sample(self, seconds: float) -> LatencyUpdate:
        return LatencyUpdate(seconds, self.alpha, self.ttl)

    def admit(
        self, group: ModelGroup, candidates: list[int], snapshot: Snapshot, ctx: RequestContext
    ) -> list[int]:
        return candidates

    def pick(
        self, group: ModelGroup, candidates: Sequence[int], snapshot: Snapshot, ctx: RequestContext
    ) -> int:
        latency = snapshot.latency
        assert latency is not None
        best_i = candidates[0]
        best = latency[best_i] or 0.0
        for i in candidates:
            value = latency[i] or 0.0
            if value < best:
                best, best_i = value, i
        if self.buffer <= 0.0:
            return best_i
        ceiling = best * (1.0 + self.buffer)
        near = [i for i in candidates if (latency[i] or 0.0) <= ceiling]
        return near[int(self._rng.random() * len(near))]
