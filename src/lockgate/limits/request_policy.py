"""Admission of one request: may this caller use this model, and is there room under every
limit and budget that applies? ``admit`` reserves the worst-case cost; ``settle`` replaces
it by the actual cost and frees the parallel slot.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lockgate.errors import (
    AuthenticationError,
    BudgetExceededError,
    PermissionDeniedError,
    RateLimitError,
)
from lockgate.gateway.auth import Principal
from lockgate.keys.access_cache import AccessCache
from lockgate.keys.model_scope import refusing_level
from lockgate.keys.records import KeyRecord, Limits
from lockgate.limits.buckets import NANO, Bucket, LimitBackend, Verdict, to_nano
from lockgate.limits.price_book import PriceBook
from lockgate.limits.windows import budget_window, minute_of

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


def _bucket(scope: str, label: str, limits: Limits, now: float) -> Bucket | None:
    if not limits.any:
        return None
    window, left = (0, float("inf"))
    if limits.max_budget is not None:
        window, left = budget_window(limits.budget_duration, now)
    return Bucket(
        scope=scope,
        label=label,
        budget_nano=to_nano(limits.max_budget) if limits.max_budget is not None else None,
        window=window,
        window_left=left,
        rpm=limits.rpm_limit,
        tpm=limits.tpm_limit,
        parallel=limits.max_parallel_requests,
    )


def _name(kind: str, ident: str, alias: str | None) -> str:
    return f"{kind} '{alias or ident}'"


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
        self._prices = prices
        self._hold = hold_seconds
        self._global = Limits(
            max_budget=global_budget.max_budget, budget_duration=global_budget.budget_duration
        )
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
        key = self._cache.key(principal.key_id) if principal.virtual else None
        if principal.virtual and key is None:
            raise AuthenticationError("this key was deleted", code="invalid_api_key")
        resolved = key.aliases.get(model, model) if key is not None else model
        admission = Admission(
            principal, resolved, model, end_user, key.tags if key is not None else ()
        )
        buckets = self._buckets(key, resolved, end_user, now)
        if not buckets:
            return admission
        worst = self._prices.worst_case(resolved, route, body)
        reservation_id = f"{self._reservation_prefix}{next(self._reservation_counter):x}"
        verdict = await self._backend.reserve(
            buckets, reservation_id, worst.cost_nano, worst.prompt_tokens, now, self._hold
        )
        rate_headers = _rate_headers(buckets, verdict, now)
        if not verdict.ok:
            error = _refusal(buckets[verdict.bucket], verdict, now, rate_headers)
            if headers is not None:
                headers.update(rate_headers)
            raise error
        if headers is not None:
            headers.update(rate_headers)
        admission.buckets = buckets
        admission.reservation_id = reservation_id
        admission.reserved_nano = worst.cost_nano
        admission.prompt_estimate = worst.prompt_tokens
        admission.minute = minute_of(now)
        admission.headers = rate_headers
        return admission

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
        if cost is None and (prompt_tokens or completion_tokens):
            cost = self._prices.usage_cost(admission.model, prompt_tokens, completion_tokens)
        charged = cost or 0.0
        if admission.settled or not admission.buckets:
            admission.settled = True
            return charged
        admission.settled = True
        delta = (prompt_tokens + completion_tokens) - admission.prompt_estimate
        await self._backend.settle(
            admission.buckets,
            admission.reservation_id,
            admission.reserved_nano,
            to_nano(charged),
            delta,
            admission.minute,
        )
        return charged

    def _buckets(
        self, key: KeyRecord | None, model: str, end_user: str, now: float
    ) -> tuple[Bucket, ...]:
        cache = self._cache
        found: list[Bucket | None] = []
        if key is not None:
            self._check_models(key, model)
            found.append(
                _bucket(f"key:{key.id}", _name("key", key.id, key.key_alias), key.limits, now)
            )
            model_rpm, model_tpm = key.model_rpm_limit.get(model), key.model_tpm_limit.get(model)
            if model_rpm is not None or model_tpm is not None:
                found.append(
                    Bucket(
                        f"key_model:{key.id}:{model}",
                        f"key '{key.key_alias or key.id}' on model '{model}'",
                        rpm=model_rpm,
                        tpm=model_tpm,
                    )
                )
            user = cache.users.get(key.user_id) if key.user_id else None
            if user is not None:
                found.append(
                    _bucket(f"user:{user.id}", _name("user", user.id, None), user.limits, now)
                )
            team = cache.teams.get(key.team_id) if key.team_id else None
            if team is not None:
                found.append(
                    _bucket(f"team:{team.id}", _name("team", team.id, team.alias), team.limits, now)
                )
            org_id = key.organization_id or (team.organization_id if team is not None else None)
            org = cache.orgs.get(org_id) if org_id else None
            if org is not None:
                found.append(
                    _bucket(
                        f"org:{org.id}", _name("organization", org.id, org.alias), org.limits, now
                    )
                )
        if end_user:
            record = cache.end_users.get(end_user)
            if record is not None:
                if record.blocked:
                    raise PermissionDeniedError(
                        f"end user '{end_user}' is blocked (see /customer/unblock)",
                        code="end_user_blocked",
                        param="user",
                    )
                label = _name("end user", end_user, record.alias)
                found.append(_bucket(f"end_user:{end_user}", label, record.limits, now))
        found.append(_bucket("global", "proxy", self._global, now))
        return tuple(b for b in found if b is not None)

    def _check_models(self, key: KeyRecord, model: str) -> None:
        level = refusing_level(self._cache, key, model)
        if level is not None:
            raise PermissionDeniedError(
                f"this key's {level} may not use model '{model}'",
                code="model_not_allowed",
                param="model",
            )


def _rate_headers(buckets: tuple[Bucket, ...], verdict: Verdict, now: float) -> dict[str, str]:
    """OpenAI's ``x-ratelimit-*`` headers for the tightest rpm and tpm limits that apply."""
    headers: dict[str, str] = {}
    reset = f"{max(1, 60 - int(now % 60))}s"
    rpm = [(b.rpm - r, b.rpm) for b, r in zip(buckets, verdict.requests, strict=False) if b.rpm]
    tpm = [(b.tpm - t, b.tpm) for b, t in zip(buckets, verdict.tokens, strict=False) if b.tpm]
    if rpm:
        remaining, limit = min(rpm)
        headers["x-ratelimit-limit-requests"] = str(limit)
        headers["x-ratelimit-remaining-requests"] = str(max(0, remaining))
        headers["x-ratelimit-reset-requests"] = reset
    if tpm:
        remaining, limit = min(tpm)
        headers["x-ratelimit-limit-tokens"] = str(limit)
        headers["x-ratelimit-remaining-tokens"] = str(max(0, remaining))
        headers["x-ratelimit-reset-tokens"] = reset
    return headers


def _refusal(
    bucket: Bucket, verdict: Verdict, now: float, headers: dict[str, str]
) -> RateLimitError:
    until_minute = max(1.0, 60 - now % 60)
    if verdict.reason == "budget":
        spent = verdict.spent_nano / NANO
        budget = (bucket.budget_nano or 0) / NANO
        reserved = verdict.reserved_nano / NANO
        # A lifetime budget never resets: say "a day" rather than send no retry-after.
        retry = 86400.0 if bucket.window_left == float("inf") else max(1.0, bucket.window_left)
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
