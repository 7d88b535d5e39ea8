"""Routing strategies, by their LiteLLM names."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from lockgate.router.strategies.base import Strategy, under_limits
from lockgate.router.strategies.cost_based import CostBased
from lockgate.router.strategies.latency import LatencyBased
from lockgate.router.strategies.least_busy import LeastBusy
from lockgate.router.strategies.simple_shuffle import SimpleShuffle
from lockgate.router.strategies.usage_based import UsageBased

__all__ = [
    "STRATEGY_NAMES",
    "CostBased",
    "LatencyBased",
    "LeastBusy",
    "SimpleShuffle",
    "Strategy",
    "UsageBased",
    "make_strategy",
    "under_limits",
]

STRATEGY_NAMES = (
    "simple-shuffle",
    "least-busy",
    "latency-based-routing",
    "usage-based-routing",
    "usage-based-routing-v2",
    "cost-based-routing",
)


def make_strategy(name: str, args: Mapping[str, Any], rng: random.Random) -> Strategy:
    """The strategy called ``name``; ``args`` are its ``routing_strategy_args``."""
    allowed = LatencyBased.ARGS if name == "latency-based-routing" else frozenset()
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise ValueError(
            f"routing_strategy_args {', '.join(unknown)} not understood by strategy {name!r}"
        )
    if name == "simple-shuffle":
        return SimpleShuffle(rng)
    if name == "least-busy":
        return LeastBusy(rng)
    if name == "latency-based-routing":
        return LatencyBased(rng, args)
    if name in ("usage-based-routing", "usage-based-routing-v2"):
        return UsageBased(rng, name)
    if name == "cost-based-routing":
        return CostBased(rng)
    raise ValueError(f"unknown routing strategy {name!r}; one of: {', '.join(STRATEGY_NAMES)}")
