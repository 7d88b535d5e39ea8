"""A model group: the deployments that share one ``model_name``, with what routing needs
about them precomputed (ids, priority tiers, weights, tags)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from lockgate.router.deployment import Deployment
from lockgate.router.wildcard import WildcardPattern

__all__ = ["DEFAULT_TAG", "ModelGroup", "unit_cost"]

# Deployments tagged "default" serve requests whose tags match no deployment (LiteLLM).
DEFAULT_TAG = "default"


def unit_cost(deployment: Deployment) -> float:
    """Input plus output price per token; an unknown price ranks last."""
    if deployment.input_cost_per_token is None and deployment.output_cost_per_token is None:
        return math.inf
    return (deployment.input_cost_per_token or 0.0) + (deployment.output_cost_per_token or 0.0)


def _weights(deployments: tuple[Deployment, ...]) -> tuple[float, ...]:
    """LiteLLM's simple-shuffle weights: ``weight`` if any deployment sets one, else ``rpm``,
    else ``tpm``; a deployment without the chosen figure weighs 0. Uniform when none."""
    for values in (
        [d.weight for d in deployments],
        [d.rpm for d in deployments],
        [d.tpm for d in deployments],
    ):
        if any(v is not None for v in values):
            return tuple(float(v) if v is not None and v > 0 else 0.0 for v in values)
    return tuple(1.0 for _ in deployments)


@dataclass(frozen=True, slots=True, eq=False)
class ModelGroup:
    name: str
    deployments: tuple[Deployment, ...]
    ids: tuple[str, ...]
    indices: tuple[int, ...]
    # Priority of each deployment: its ``order`` (1 first); no order comes after every order.
    orders: tuple[float, ...]
    has_tiers: bool
    weights: tuple[float, ...]
    costs: tuple[float, ...]  # see unit_cost
    by_tag: Mapping[str, tuple[int, ...]]
    limits_parallel: bool
    pattern: WildcardPattern | None

    @classmethod
    def build(cls, name: str, deployments: tuple[Deployment, ...]) -> ModelGroup:
        orders = tuple(float(d.order) if d.order is not None else math.inf for d in deployments)
        by_tag: dict[str, list[int]] = {}
        for i, d in enumerate(deployments):
            for tag in d.tags:
                by_tag.setdefault(tag, []).append(i)
        return cls(
            name=name,
            deployments=deployments,
            ids=tuple(d.id for d in deployments),
            indices=tuple(range(len(deployments))),
            orders=orders,
            has_tiers=len(set(orders)) > 1,
            weights=_weights(deployments),
            costs=tuple(unit_cost(d) for d in deployments),
            by_tag=MappingProxyType({t: tuple(ix) for t, ix in by_tag.items()}),
            limits_parallel=any(d.max_parallel_requests for d in deployments),
            pattern=deployments[0].pattern,
        )

    def tagged(self, tags: frozenset[str], match_any: bool) -> tuple[int, ...]:
        """Deployments that serve a request carrying ``tags`` (LiteLLM's tag routing): those
        with any (or all) of the tags; else those tagged "default"; else none."""
        if match_any:
            found = sorted({i for t in tags for i in self.by_tag.get(t, ())})
        else:
            found = [i for i in self.indices if tags <= self.deployments[i].tags]
        if found:
            return tuple(found)
        return self.by_tag.get(DEFAULT_TAG, ())

    def untagged(self) -> tuple[int, ...]:
        """Deployments for a request with no tags: the "default" ones if any, else all."""
        return self.by_tag.get(DEFAULT_TAG, self.indices)
