"""Running one request: pick a deployment, call it, keep the books, retry, fall back.

Every attempt is bracketed by ``state.begin`` / ``state.end`` (in-flight and usage counts,
latency) when routing in its group reads those figures (`Selector.keeps_figures`); a failed
attempt is reported to the cooldown policy either way. A stream's attempt ends when the
stream does (see :mod:`lockgate.router.stream`).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeVar

from lockgate.errors import APITimeoutError, LockgateError, NotFoundError
from lockgate.router.cooldown import CooldownPolicy
from lockgate.router.deployment import Deployment
from lockgate.router.error_kinds import ErrorClass, classify
from lockgate.router.fallbacks import FallbackTable
from lockgate.router.model_group import ModelGroup
from lockgate.router.model_groups import ModelGroups, Route
from lockgate.router.request import RequestContext
from lockgate.router.retries import RetrySettings
from lockgate.router.selection import Selector
from lockgate.router.state.base import LatencyUpdate, RouterState

__all__ = ["Call", "Executor", "Measure", "Served"]

T = TypeVar("T")

# Calls the deployment for the named upstream model.
Call = Callable[[Deployment, str], Awaitable[T]]
# (tokens, latency seconds) of a finished result, or None for a stream still open.
Measure = Callable[[T, float], "tuple[int, float] | None"]


@dataclass(slots=True)
class Served(Generic[T]):
    result: T
    deployment: Deployment
    route: Route
    attempts: int
    fallbacks: int


class Executor:
    def __init__(
        self,
        *,
        state: RouterState,
        groups: ModelGroups,
        selector: Selector,
        cooldowns: CooldownPolicy,
        retries: RetrySettings,
        fallbacks: FallbackTable,
        latency_sample: Callable[[float], LatencyUpdate],
        rng: random.Random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.state = state
        self.groups = groups
        self.selector = selector
        self.cooldowns = cooldowns
        self.retries = retries
        self.fallbacks = fallbacks
        self._sample = latency_sample
        self._rng = rng
        self._sleep = sleep
        # Per group name: whether any fallback can follow its failure (the table is frozen).
        self._falls_back: dict[str, bool] = {}

    def route(self, model: str) -> Route:
        route = self.groups.resolve(model)
        if route is None:
            raise NotFoundError(
                f"no model group serves model {model!r}", model=model, code="model_not_found"
            )
        return route

    def run(
        self,
        model: str,
        ctx: RequestContext,
        call: Call[T],
        measure: Measure[T],
        *,
        num_retries: int | None = None,
        fallbacks: Sequence[str] | None = None,
    ) -> Coroutine[Any, Any, Served[T]]:
        """The request, to await: served by the model's group or, when it fails, by the
        fallbacks'. A group without fallbacks is awaited directly (one coroutine less)."""
        route = self.groups.resolve(model)
        if route is None:
            return self._not_found(model)
        if fallbacks is None:
            name = route.group.name
            falls_back = self._falls_back.get(name)
            if falls_back is None:
                falls_back = self._falls_back[name] = self.fallbacks.can_fall_back(name)
            if not falls_back:
                return self._in_group(route, ctx, call, measure, num_retries, 0)
        return self._with_fallbacks(route, ctx, call, measure, num_retries, fallbacks)

    async def _not_found(self, model: str) -> NoReturn:
        self.route(model)  # raises the 404
        raise AssertionError("unreachable")

    async def _with_fallbacks(
        self,
        route: Route,
        ctx: RequestContext,
        call: Call[T],
        measure: Measure[T],
        num_retries: int | None,
        fallbacks: Sequence[str] | None,
    ) -> Served[T]:
        try:
            return await self._in_group(route, ctx, call, measure, num_retries, 0)
        except LockgateError as error:
            targets = self.fallbacks.after(route.group.name, error, fallbacks)
            if not targets:
                raise
            original = error
        tried: list[str] = []
        for number, name in enumerate(targets, 1):
            target = self.groups.resolve(name)
            if target is None:
                tried.append(f"{name}: no such model group")
                continue
            ctx.tried.clear()
            try:
                return await self._in_group(target, ctx, call, measure, num_retries, number)
            except LockgateError as error:
                tried.append(f"{name}: {type(error).__name__}")
        original.add_note("fallbacks tried: " + "; ".join(tried))
        raise original

    async def _in_group(
        self,
        route: Route,
        ctx: RequestContext,
        call: Call[T],
        measure: Measure[T],
        num_retries: int | None,
        fallback_number: int,
    ) -> Served[T]:
        group = route.group
        state = self.state
        counted = self.selector.keeps_figures(group)
        retry = 0
        last: LockgateError | None = None
        while True:
            selection = await self.selector.select(group, ctx)
            if last is not None:
                if not selection.untried:
                    # Only deployments this request already tried are left.
                    if classify(last) is ErrorClass.DEPLOYMENT:
                        raise last
                    delay = self.retries.delay(retry, last, self._rng)
                    if delay is None:
                        raise last
                    await self._sleep(delay)
                    selection = await self.selector.select(group, ctx)
                elif self.retries.retry_after > 0:
                    await self._sleep(self.retries.retry_after)
            deployment = selection.deployment
            ctx.attempts += 1
            # The attempt, bracketed by state.begin / state.end (written out here rather
            # than in a method of its own: one coroutine less per request).
            try:
                if counted:
                    await state.begin(deployment.id)
                started = time.perf_counter()
                try:
                    result = await call(deployment, deployment.model_for(route.requested))
                except LockgateError as error:
                    # A timeout is a latency figure too: it ranks the deployment as slow.
                    slow = (
                        time.perf_counter() - started
                        if isinstance(error, APITimeoutError)
                        else None
                    )
                    await self.settle(group, deployment, tokens=0, latency=slow, error=error)
                    raise
                except BaseException:
                    if counted:
                        await state.end(deployment.id, tokens=0, latency=None)
                    raise
                measured = measure(result, time.perf_counter() - started)
                if measured is not None and counted:
                    await state.end(
                        deployment.id, tokens=measured[0], latency=self._sample(measured[1])
                    )
            except LockgateError as error:
                ctx.tried.add(deployment.id)
                last = error
                retry += 1
                if retry > self.retries.retries_for(error, group.name, num_retries):
                    raise
                continue
            return Served(result, deployment, route, ctx.attempts, fallback_number)

    async def settle(
        self,
        group: ModelGroup,
        deployment: Deployment,
        *,
        tokens: int,
        latency: float | None,
        error: LockgateError | None,
    ) -> None:
        """Close the books of an attempt of `deployment` in `group` (a stream's, when it
        ends)."""
        if self.selector.keeps_figures(group):
            sample = None if latency is None else self._sample(latency)
            await self.state.end(deployment.id, tokens=tokens, latency=sample)
        if error is not None:
            await self.cooldowns.on_failure(self.state, deployment, error)
