"""What one key's requests to one model are checked against, built once and reused.

A plan holds the buckets (the key, its per-model limits, its user, team and organisation,
the end user, the whole proxy) with their current budget windows, and what the
``x-ratelimit-*`` headers need from them. Building one also checks that the key may use the
model and that the end user is not blocked (a refusal is never kept). A plan is valid while
the access cache is unchanged (its ``generation``) and until its first budget window ends:
any change to a key, user, team, organisation or end user applies to the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lockgate.errors import PermissionDeniedError
from lockgate.keys.access_cache import AccessCache
from lockgate.keys.model_scope import refusing_level
from lockgate.keys.records import KeyRecord, Limits
from lockgate.limits.buckets import Bucket, Verdict, to_nano
from lockgate.limits.windows import budget_window_end

__all__ = ["Plan", "PlanCache", "build_plan", "rate_headers"]

_MAX_PLANS: Final = 4096  # (key, model, known end user) combinations kept; then all dropped
# "x-ratelimit-reset-*": seconds to the next minute, by the second of the current minute.
_RESET: Final = tuple(f"{60 - second}s" for second in range(60))

# (bucket index, limit, the limit as text) of each bucket with an rpm (or tpm) limit.
RateLimits = tuple[tuple[int, int, str], ...]


@dataclass(frozen=True, slots=True)
class Plan:
    buckets: tuple[Bucket, ...]
    generation: int  # the access cache's generation it was built at
    until: float  # when its first budget window ends (epoch seconds)
    rpm: RateLimits = ()
    tpm: RateLimits = ()
    budgets: tuple[tuple[str, int], ...] = ()  # (scope, window) of the buckets with a budget


def _bucket(scope: str, label: str, limits: Limits, now: float) -> Bucket | None:
    if not limits.any:
        return None
    window, end = 0, float("inf")
    if limits.max_budget is not None:
        window, end = budget_window_end(limits.budget_duration, now)
    return Bucket(
        scope=scope,
        label=label,
        budget_nano=to_nano(limits.max_budget) if limits.max_budget is not None else None,
        window=window,
        window_end=end,
        rpm=limits.rpm_limit,
        tpm=limits.tpm_limit,
        parallel=limits.max_parallel_requests,
    )


def _name(kind: str, ident: str, alias: str | None) -> str:
    return f"{kind} '{alias or ident}'"


def build_plan(
    cache: AccessCache,
    key: KeyRecord | None,
    model: str,
    end_user: str,
    proxy: Limits,
    now: float,
) -> Plan:
    """Raises 403 when the key may not use ``model`` or the end user is blocked."""
    generation = cache.generation  # read first: a change while building makes it stale
    found: list[Bucket | None] = []
    if key is not None:
        level = refusing_level(cache, key, model)
        if level is not None:
            raise PermissionDeniedError(
                f"this key's {level} may not use model '{model}'",
                code="model_not_allowed",
                param="model",
            )
        found.append(_bucket(f"key:{key.id}", _name("key", key.id, key.key_alias), key.limits, now))
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
            found.append(_bucket(f"user:{user.id}", _name("user", user.id, None), user.limits, now))
        team = cache.teams.get(key.team_id) if key.team_id else None
        if team is not None:
            found.append(
                _bucket(f"team:{team.id}", _name("team", team.id, team.alias), team.limits, now)
            )
        org_id = key.organization_id or (team.organization_id if team is not None else None)
        org = cache.orgs.get(org_id) if org_id else None
        if org is not None:
            found.append(
                _bucket(f"org:{org.id}", _name("organization", org.id, org.alias), org.limits, now)
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
    found.append(_bucket("global", "proxy", proxy, now))
    buckets = tuple(b for b in found if b is not None)
    return Plan(
        buckets,
        generation,
        min((b.window_end for b in buckets if b.budget_nano is not None), default=float("inf")),
        rpm=tuple((i, b.rpm, str(b.rpm)) for i, b in enumerate(buckets) if b.rpm),
        tpm=tuple((i, b.tpm, str(b.tpm)) for i, b in enumerate(buckets) if b.tpm),
        budgets=tuple((b.scope, b.window) for b in buckets if b.budget_nano is not None),
    )


class PlanCache:
    """Plans by (key id, model, end user), bounded. The end user is part of the name only
    when the store knows it (other end users have no bucket), so arbitrary ``user`` values
    cannot fill it."""

    def __init__(self, cache: AccessCache, proxy: Limits) -> None:
        self._cache = cache
        self._proxy = proxy
        self._plans: dict[tuple[str, str, str], Plan] = {}

    def plan(self, key: KeyRecord | None, model: str, end_user: str, now: float) -> Plan:
        cache = self._cache
        if end_user and end_user not in cache.end_users:
            end_user = ""
        name = (key.id, model, end_user) if key is not None else ("", "", end_user)
        plan = self._plans.get(name)
        if plan is None or plan.generation != cache.generation or now >= plan.until:
            plan = build_plan(cache, key, model, end_user, self._proxy, now)
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            self._plans[name] = plan
        return plan


def rate_headers(plan: Plan, verdict: Verdict, now: float) -> dict[str, str]:
    """OpenAI's ``x-ratelimit-*`` headers for the tightest rpm and tpm limits that apply
    (none when refused: the refusal sets its own). One limit of a kind is the usual case:
    it takes no search."""
    if not verdict.requests:
        return {}
    reset = _RESET[int(now % 60)]
    headers: dict[str, str] = {}
    if plan.rpm:
        if len(plan.rpm) == 1:
            index, limit, text = plan.rpm[0]
            remaining = limit - verdict.requests[index]
        else:
            remaining, text = _tightest(plan.rpm, verdict.requests)
        headers["x-ratelimit-limit-requests"] = text
        headers["x-ratelimit-remaining-requests"] = str(remaining) if remaining > 0 else "0"
        headers["x-ratelimit-reset-requests"] = reset
    if plan.tpm:
        if len(plan.tpm) == 1:
            index, limit, text = plan.tpm[0]
            remaining = limit - verdict.tokens[index]
        else:
            remaining, text = _tightest(plan.tpm, verdict.tokens)
        headers["x-ratelimit-limit-tokens"] = text
        headers["x-ratelimit-remaining-tokens"] = str(remaining) if remaining > 0 else "0"
        headers["x-ratelimit-reset-tokens"] = reset
    return headers


def _tightest(limits: RateLimits, used: tuple[int, ...]) -> tuple[int, str]:
    """(remaining, limit text) of the limit with the least left (the lower limit on ties)."""
    remaining, _, text = min((limit - used[index], limit, text) for index, limit, text in limits)
    return remaining, text
