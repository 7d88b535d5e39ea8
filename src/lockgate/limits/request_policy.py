"""Admission of one request: may this caller use this model, and is there room under every
limit and budget that applies? ``admit`` reserves the worst-case cost; ``settle`` replaces
it by the actual cost and frees the parallel slot. What applies to a key and model comes
from a plan built once (:mod:`lockgate.limits.admission_plan`).
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lockgate.errors import AuthenticationError, BudgetExceededError, RateLimitError
from lockgate.gateway.auth import Principal
from lockgate.keys.access_cache import AccessCache
from lockgate.keys.records import KeyRecord, Limits
from lockgate.limits.admission_plan import PlanCache, rate_headers
from lockgate.limits.buckets import NANO, Bucket, LimitBackend, Verdict, to_nano
from lockgate.limits.memory_backend import InMemoryLimitBackend
from lockgate.limits.price_book import PriceBook

__all__ = ["Admission", "GlobalBudget", "RequestPolicy"]


@dataclass(frozen=True, slots=True)
class GlobalBudget:
    """``litellm_settings.max_budget`` / ``budget_duration``: the whole proxy's budget."""

    max_budget: float | None = None
    budget_duration: str | None = None


@dataclass(slots=True)
class Admission:
    principal: Principal
    model: str  # what to dispatch (after the key's aliases)
    requested_model: str
    end_user: str
    tags: tuple[str, ...]
    buckets: tuple[Bucket, ...] = ()
    reservation_id: str = ""
    reserved_nano: int = 0
    prompt_estimate: int = 0
    minute: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    settled: bool = False
    budgets: tuple[tuple[str, int], ...] = ()  # (scope, window) of the budgets that apply

    def budget_windows(self, nano: int) -> tuple[tuple[str, int, int], ...]:
        """For the spend record: ``nano`` counted in each budget window that applies."""
        return tuple([(scope, window, nano) for scope, window in self.budgets])


class RequestPolicy:
    def __init__(
        self,
        cache: AccessCache,
        backend: LimitBackend,
        prices: PriceBook,
        *,
        hold_seconds: float,
        global_budget: GlobalBudget = GlobalBudget(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._cache = cache
        self._backend = backend
        # The in-process backend never waits: called directly, not through a coroutine.
        self._local = backend if isinstance(backend, InMemoryLimitBackend) else None
        # Whether settling never waits (settle_now may always be used).
        self.in_process = self._local is not None
        self._prices = prices
        self._hold = hold_seconds
        proxy = Limits(
            max_budget=global_budget.max_budget, budget_duration=global_budget.budget_duration
        )
        self._plans = PlanCache(cache, proxy)
        self._clock = clock
        # Reservation ids: unique across instances sharing Redis (a random prefix per
        # process) without a uuid4 (and its getrandom call) per request.
        self._reservation_prefix = secrets.token_hex(8)
        self._reservation_counter = itertools.count(1)

    async def admit(
        self,
        principal: Principal,
        model: str,
        route: str,
        body: Mapping[str, Any],
        headers: dict[str, str] | None = None,
    ) -> Admission:
        """Reserve room for the request; ``headers`` receives the ``x-ratelimit-*`` headers
        (also when the request is refused)."""
        now = self._clock()
        end_user = body.get("user")
        end_user = end_user if isinstance(end_user, str) and len(end_user) <= 256 else ""
        key: KeyRecord | None = None
        resolved = model
        tags: tuple[str, ...] = ()
        if principal.virtual:
            key = self._cache.key(principal.key_id)
            if key is None:
                raise AuthenticationError("this key was deleted", code="invalid_api_key")
            resolved, tags = key.aliases.get(model, model), key.tags
        plan = self._plans.plan(key, resolved, end_user, now)
        buckets = plan.buckets
        if not buckets:
            return Admission(principal, resolved, model, end_user, tags)
        cost_nano, prompt_tokens = self._prices.worst_case(resolved, route, body)
        reservation_id = f"{self._reservation_prefix}{next(self._reservation_counter):x}"
        if self._local is not None:
            verdict = self._local.reserve_now(
                buckets, reservation_id, cost_nano, prompt_tokens, now, self._hold
            )
        else:
            verdict = await self._backend.reserve(
                buckets, reservation_id, cost_nano, prompt_tokens, now, self._hold
            )
        rate_limit_headers = rate_headers(plan, verdict, now)
        if not verdict.ok:
            error = _refusal(buckets[verdict.bucket], verdict, now, rate_limit_headers)
            if headers is not None:
                headers.update(rate_limit_headers)
            raise error
        if headers is not None:
            headers.update(rate_limit_headers)
        return Admission(
            principal,
            resolved,
            model,
            end_user,
            tags,
            buckets,
            reservation_id,
            cost_nano,
            prompt_tokens,
            int(now // 60),  # windows.minute_of
            rate_limit_headers,
            False,
            plan.budgets,
        )

    async def settle(
        self,
        admission: Admission,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float | None,
    ) -> float:
        """Settle once; returns the cost charged in USD. Without a cost from the provider
        call, the model group's configured prices are applied to the usage."""
        if self.in_process or admission.settled or not admission.buckets:
            return self.settle_now(admission, prompt_tokens, completion_tokens, cost)
        if cost is None and (prompt_tokens or completion_tokens):
            cost = self._prices.usage_cost(admission.model, prompt_tokens, completion_tokens)
        charged = cost or 0.0
        admission.settled = True
        delta = (prompt_tokens + completion_tokens) - admission.prompt_estimate
        buckets, reservation_id = admission.buckets, admission.reservation_id
        reserved, actual, minute = admission.reserved_nano, to_nano(charged), admission.minute
        await self._backend.settle(buckets, reservation_id, reserved, actual, delta, minute)
        return charged

    def settle_now(
        self,
        admission: Admission,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float | None,
    ) -> float:
        """:meth:`settle` without a coroutine (none is needed per request): only when the
        backend is ``in_process`` or the admission reserved nothing (no buckets)."""
        if cost is None and (prompt_tokens or completion_tokens):
            cost = self._prices.usage_cost(admission.model, prompt_tokens, completion_tokens)
        charged = cost or 0.0
        if admission.settled or not admission.buckets:
            admission.settled = True
            return charged
        local = self._local
        if local is None:
            raise RuntimeError("this backend settles through settle()")
        admission.settled = True
        delta = (prompt_tokens + completion_tokens) - admission.prompt_estimate
        buckets, reservation_id = admission.buckets, admission.reservation_id
        reserved, actual, minute = admission.reserved_nano, to_nano(charged), admission.minute
        local.settle_now(buckets, reservation_id, reserved, actual, delta, minute)
        return charged


def _refusal(
    bucket: Bucket, verdict: Verdict, now: float, headers: dict[str, str]
) -> RateLimitError:
    until_minute = max(1.0, 60 - now % 60)
    if verdict.reason == "budget":
        spent = verdict.spent_nano / NANO
        budget = (bucket.budget_nano or 0) / NANO
        reserved = verdict.reserved_nano / NANO
        # A lifetime budget never resets: say "a day" rather than send no retry-after.
        left = bucket.window_end - now
        retry = 86400.0 if left == float("inf") else max(1.0, left)
        return BudgetExceededError(
            f"budget exceeded for {bucket.label}: spent ${spent:.6f} of ${budget:.6f}"
            f" (${reserved:.6f} reserved by requests in flight)",
            code="budget_exceeded",
            retry_after=retry,
        )
    if verdict.reason == "rpm":
        if bucket.rpm is not None:
            headers.setdefault("x-ratelimit-limit-requests", str(bucket.rpm))
            headers["x-ratelimit-remaining-requests"] = "0"
        return RateLimitError(
            f"rate limit exceeded for {bucket.label}: {bucket.rpm} requests per minute",
            code="rpm_limit_exceeded",
            retry_after=until_minute,
        )
    if verdict.reason == "tpm":
        if bucket.tpm is not None:
            headers.setdefault("x-ratelimit-limit-tokens", str(bucket.tpm))
            headers["x-ratelimit-remaining-tokens"] = "0"
        return RateLimitError(
            f"rate limit exceeded for {bucket.label}: {bucket.tpm} tokens per minute",
            code="tpm_limit_exceeded",
            retry_after=until_minute,
        )
    return RateLimitError(
        f"too many parallel requests for {bucket.label}: at most {bucket.parallel}",
        code="parallel_limit_exceeded",
        retry_after=1.0,
    )
