"""Choosing a deployment of a group for one attempt.

In order: the request's hard limits (tags; with pre-call checks, the context window), then
deployments that are up and not yet tried by this request, then the strategy's own limits
(rpm/tpm), then deployments under their ``max_parallel_requests``, then the best priority
tier (``order``), and finally the strategy's pick.

When every eligible deployment is cooling down, the one whose cooldown ends first is used
(preferring one this request has not tried): a group never refuses a request that one of
its deployments could serve.
"""

from __future__ import annotations

from dataclasses import dataclass

from lockgate.errors import BadRequestError, ContextWindowExceededError
from lockgate.router.deployment import Deployment
from lockgate.router.model_group import ModelGroup
from lockgate.router.request import RequestContext
from lockgate.router.state.base import Needs, RouterState, Snapshot
from lockgate.router.strategies import Strategy

__all__ = ["Selection", "Selector"]


@dataclass(frozen=True, slots=True)
class Selection:
    deployment: Deployment
    # Not tried yet by this request (it may be cooling down when all are): a retry there
    # goes at once; a retry on a deployment already tried waits for a backoff first.
    untried: bool


class Selector:
    def __init__(
        self,
        state: RouterState,
        strategy: Strategy,
        *,
        pre_call_checks: bool,
        tag_filtering: bool,
        tags_match_any: bool,
    ) -> None:
        self._state = state
        self._strategy = strategy
        self._pre_call_checks = pre_call_checks
        self._tag_filtering = tag_filtering
        self._tags_match_any = tags_match_any
        needs = strategy.needs
        self._needs = needs
        self._reads_figures = needs.in_flight or needs.usage or needs.latency
        # Groups with max_parallel_requests also read the in-flight counts.
        self._needs_parallel = Needs(True, needs.usage, needs.latency)
        self._selections: dict[tuple[Deployment, bool], Selection] = {}

    def keeps_figures(self, group: ModelGroup) -> bool:
        """Whether routing in `group` reads in-flight, usage or latency figures. Only then
        are they kept (``state.begin`` / ``end``): with Redis each kept attempt cost the
        gateway about 80 µs of CPU and Redis about 40 µs, for figures nothing would read."""
        return self._reads_figures or group.limits_parallel

    def eligible(self, group: ModelGroup, ctx: RequestContext) -> tuple[int, ...]:
        """Deployments allowed to serve this request at all (raises when none is)."""
        indices = group.indices
        if self._tag_filtering:
            indices = group.tagged(ctx.tags, self._tags_match_any) if ctx.tags else group.untagged()
            if not indices:
                raise BadRequestError(
                    f"no deployment of model group {group.name!r} serves tags "
                    f"{sorted(ctx.tags or ())}",
                    model=group.name,
                    param="metadata.tags",
                )
        if self._pre_call_checks:
            tokens = ctx.estimated_tokens
            deployments = group.deployments
            fitting = tuple(
                i
                for i in indices
                if (limit := deployments[i].max_input_tokens) is None or tokens <= limit
            )
            if not fitting:
                raise ContextWindowExceededError(
                    f"the prompt (about {tokens} tokens) fits no deployment of model group "
                    f"{group.name!r}",
                    model=group.name,
                )
            indices = fitting
        return indices

    async def select(self, group: ModelGroup, ctx: RequestContext) -> Selection:
        # Without tags or pre-call checks every deployment is eligible (no call to ask).
        eligible = (
            self.eligible(group, ctx)
            if self._tag_filtering or self._pre_call_checks
            else group.indices
        )
        snapshot = await self._state.read(
            group.ids, self._needs_parallel if group.limits_parallel else self._needs
        )
        left = snapshot.cooldown_left
        tried = ctx.tried
        ids = group.ids
        ready = [i for i in eligible if left[i] <= 0.0 and not (tried and ids[i] in tried)]
        untried_ready = True
        if not ready:
            untried_ready = False
            ready = [i for i in eligible if left[i] <= 0.0]
            if not ready:
                untried = [i for i in eligible if ids[i] not in tried]
                soonest = min(untried or eligible, key=left.__getitem__)
                return Selection(group.deployments[soonest], untried=bool(untried))
        ready = self._strategy.admit(group, ready, snapshot, ctx)
        if group.limits_parallel:
            ready = _with_room(group, ready, snapshot)
        if group.has_tiers and len(ready) > 1:
            orders = group.orders
            first = min(orders[i] for i in ready)
            ready = [i for i in ready if orders[i] == first]
        chosen = ready[0] if len(ready) == 1 else self._strategy.pick(group, ready, snapshot, ctx)
        return self._selection(group.deployments[chosen], untried_ready)

    def _selection(self, deployment: Deployment, untried: bool) -> Selection:
        """The (immutable) selection, made once per deployment and flag."""
        key = (deployment, untried)  # a Deployment hashes by identity
        selection = self._selections.get(key)
        if selection is None:
            if len(self._selections) >= 1024:  # bounded: deployments can be replaced
                self._selections.clear()
            selection = self._selections[key] = Selection(deployment, untried=untried)
        return selection


def _with_room(group: ModelGroup, candidates: list[int], snapshot: Snapshot) -> list[int]:
    """Deployments under ``max_parallel_requests``; all of them when none is."""
    busy = snapshot.in_flight
    assert busy is not None
    deployments = group.deployments
    room = [
        i
        for i in candidates
        if (cap := deployments[i].max_parallel_requests) is None or busy[i] < cap
    ]
    return room or candidates
