"""Admission through RequestPolicy: what applies to a key is built once per key and model
and kept, so these check that every change to the access cache, and every budget window
ending, applies to the very next request; and the x-ratelimit-* headers and 429s."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

import pytest

from lockgate.errors import (
    AuthenticationError,
    BudgetExceededError,
    PermissionDeniedError,
    RateLimitError,
)
from lockgate.gateway.auth import Principal
from lockgate.keys.access_cache import AccessCache
from lockgate.keys.records import (
    EndUserRecord,
    KeyRecord,
    Limits,
    ModelAccess,
    OrgRecord,
    TeamRecord,
    UserRecord,
)
from lockgate.limits import (
    InMemoryLimitBackend,
    LimitBackend,
    ModelPrice,
    PriceBook,
    RequestPolicy,
)
from lockgate.limits.request_policy import Admission, GlobalBudget

T0 = 1_700_000_000.0  # 20 s into a minute
BODY = {"model": "m", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 10}
PRICES = PriceBook({"m": ModelPrice(1e-6, 1e-6), "other": ModelPrice(1e-6, 1e-6)})


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def key_record(**changes: Any) -> KeyRecord:
    fields: dict[str, Any] = dict(
        id="k1",
        digest="d1",
        key_alias="my-key",
        user_id=None,
        team_id=None,
        organization_id=None,
        models=ModelAccess(),
        aliases=MappingProxyType({}),
        tags=(),
        limits=Limits(),
        model_rpm_limit=MappingProxyType({}),
        model_tpm_limit=MappingProxyType({}),
        expires=None,
        blocked=False,
    )
    fields.update(changes)
    return KeyRecord(**fields)


def team(limits: Limits, **changes: Any) -> TeamRecord:
    record = TeamRecord(
        "t1", "research", None, ModelAccess(), limits, False, frozenset(), frozenset()
    )
    return replace(record, **changes)


PRINCIPAL = Principal(key_id="k1", is_admin=False, virtual=True)


def policy_for(
    backend: LimitBackend, cache: AccessCache, clock: Clock, **options: Any
) -> RequestPolicy:
    return RequestPolicy(cache, backend, PRICES, hold_seconds=60.0, clock=clock, **options)


async def admit(
    policy: RequestPolicy, body: dict[str, Any] = BODY, principal: Principal = PRINCIPAL
) -> tuple[Admission, dict[str, str]]:
    headers: dict[str, str] = {}
    admission = await policy.admit(principal, str(body["model"]), "chat", body, headers)
    return admission, headers


async def done(policy: RequestPolicy, admission: Admission, cost: float = 0.0) -> None:
    await policy.settle(admission, prompt_tokens=5, completion_tokens=5, cost=cost)


async def test_a_key_change_applies_to_the_next_request(backend: LimitBackend) -> None:
    cache, clock = AccessCache(), Clock()
    cache.put_key(key_record(limits=Limits(rpm_limit=5)))
    policy = policy_for(backend, cache, clock)
    admission, headers = await admit(policy)
    assert headers["x-ratelimit-limit-requests"] == "5"
    assert headers["x-ratelimit-remaining-requests"] == "4"
    await done(policy, admission)
    cache.put_key(key_record(limits=Limits(rpm_limit=1)))  # one request this minute already
    with pytest.raises(RateLimitError) as refused:
        await admit(policy)
    assert refused.value.code == "rpm_limit_exceeded"
    assert "key 'my-key'" in refused.value.message
    cache.put_key(key_record(models=ModelAccess.of(["other"])))
    with pytest.raises(PermissionDeniedError) as denied:
        await admit(policy)
    assert denied.value.code == "model_not_allowed"
    cache.put_key(
        key_record(aliases=MappingProxyType({"m": "other"}), models=ModelAccess.of(["other"]))
    )
    admission, _ = await admit(policy)
    assert admission.model == "other" and admission.requested_model == "m"
    cache.drop_key("k1")
    with pytest.raises(AuthenticationError):
        await admit(policy)


async def test_team_org_and_user_changes_apply_at_once(backend: LimitBackend) -> None:
    cache, clock = AccessCache(), Clock()
    cache.put_key(key_record(team_id="t1", user_id="u1"))
    policy = policy_for(backend, cache, clock)
    admission, headers = await admit(policy)  # nothing limits it yet
    assert admission.buckets == () and headers == {}
    cache.put_team(team(Limits(rpm_limit=7)))
    admission, headers = await admit(policy)
    assert [b.scope for b in admission.buckets] == ["team:t1"]
    assert headers["x-ratelimit-limit-requests"] == "7"
    await done(policy, admission)
    cache.put_org(OrgRecord("o1", "acme", ModelAccess(), Limits(max_budget=0.0)))
    cache.put_team(team(Limits(rpm_limit=7), organization_id="o1"))
    with pytest.raises(BudgetExceededError) as refused:
        await admit(policy)
    assert "organization 'acme'" in refused.value.message
    cache.drop_org("o1")
    cache.put_team(team(Limits(), models=ModelAccess.of(["other"])))
    with pytest.raises(PermissionDeniedError, match="team"):
        await admit(policy)
    cache.drop_team("t1")
    cache.put_user(UserRecord("u1", "internal_user", None, ModelAccess(), Limits(rpm_limit=3)))
    admission, headers = await admit(policy)
    assert [b.scope for b in admission.buckets] == ["user:u1"]
    assert headers["x-ratelimit-limit-requests"] == "3"


async def test_end_users_blocked_or_limited_after_a_first_request(backend: LimitBackend) -> None:
    cache, clock = AccessCache(), Clock()
    cache.put_key(key_record())
    policy = policy_for(backend, cache, clock)
    body = {**BODY, "user": "acme"}
    admission, _ = await admit(policy, body)
    assert admission.end_user == "acme" and admission.buckets == ()
    cache.put_end_user(EndUserRecord("acme", False, Limits(rpm_limit=2), alias="Acme"))
    admission, headers = await admit(policy, body)
    assert [b.scope for b in admission.buckets] == ["end_user:acme"]
    assert headers["x-ratelimit-remaining-requests"] == "1"
    assert (await admit(policy))[0].buckets == ()  # another request without "user"
    cache.put_end_user(EndUserRecord("acme", True, Limits(rpm_limit=2)))
    with pytest.raises(PermissionDeniedError) as blocked:
        await admit(policy, body)
    assert blocked.value.code == "end_user_blocked"
    cache.drop_end_user("acme")
    assert (await admit(policy, body))[0].buckets == ()


async def test_a_new_budget_window_starts_on_time(backend: LimitBackend) -> None:
    cache, clock = AccessCache(), Clock()
    cache.put_key(key_record(limits=Limits(max_budget=0.0001, budget_duration="1h")))
    policy = policy_for(backend, cache, clock)
    admission, _ = await admit(policy)
    await done(policy, admission, cost=0.0001)  # the whole budget
    clock.now += 60
    with pytest.raises(BudgetExceededError) as refused:
        await admit(policy)
    window_end = (T0 // 3600 + 1) * 3600
    assert refused.value.retry_after == pytest.approx(window_end - clock.now)
    clock.now = window_end - 0.001
    with pytest.raises(BudgetExceededError):
        await admit(policy)
    clock.now = window_end
    admission, _ = await admit(policy)
    assert admission.budgets == (("key:k1", int(window_end // 3600) + 1),)
    assert admission.budget_windows(5) == (("key:k1", int(window_end // 3600) + 1, 5),)


async def test_the_proxy_budget_applies_to_the_master_key_too(backend: LimitBackend) -> None:
    cache, clock = AccessCache(), Clock()
    policy = policy_for(backend, cache, clock, global_budget=GlobalBudget(max_budget=0.0))
    master = Principal(key_id="master", is_admin=True)
    with pytest.raises(BudgetExceededError) as refused:
        await admit(policy, principal=master)
    assert "proxy" in refused.value.message and refused.value.retry_after == 86400.0


async def test_rate_headers_name_the_tightest_limits(backend: LimitBackend) -> None:
    cache, clock = AccessCache(), Clock()
    cache.put_key(
        key_record(
            team_id="t1",
            limits=Limits(rpm_limit=10, tpm_limit=100_000),
            model_tpm_limit=MappingProxyType({"m": 50_000}),
        )
    )
    cache.put_team(team(Limits(rpm_limit=3, tpm_limit=10**9)))
    policy = policy_for(backend, cache, clock)
    admission, headers = await admit(policy)
    assert admission.headers == headers
    used = int(headers["x-ratelimit-limit-tokens"]) - int(headers["x-ratelimit-remaining-tokens"])
    assert headers == {
        "x-ratelimit-limit-requests": "3",
        "x-ratelimit-remaining-requests": "2",
        "x-ratelimit-reset-requests": "40s",
        "x-ratelimit-limit-tokens": "50000",
        "x-ratelimit-remaining-tokens": str(50_000 - used),
        "x-ratelimit-reset-tokens": "40s",
    }
    assert used == admission.prompt_estimate > 0
    clock.now = T0 + 39.5  # half a second before the minute ends
    _, headers = await admit(policy)
    assert headers["x-ratelimit-reset-requests"] == "1s"
    assert headers["x-ratelimit-remaining-requests"] == "1"
    _, headers = await admit(policy)
    assert headers["x-ratelimit-remaining-requests"] == "0"
    refused_headers: dict[str, str] = {}
    with pytest.raises(RateLimitError) as refused:
        await policy.admit(PRINCIPAL, "m", "chat", BODY, refused_headers)
    assert "team 'research'" in refused.value.message
    assert refused_headers == {
        "x-ratelimit-limit-requests": "3",
        "x-ratelimit-remaining-requests": "0",
    }


async def test_settle_now_is_settle_without_a_coroutine(backend: LimitBackend) -> None:
    cache, clock = AccessCache(), Clock()
    cache.put_key(key_record(limits=Limits(rpm_limit=5, max_budget=1.0)))
    policy = policy_for(backend, cache, clock)
    assert policy.in_process == isinstance(backend, InMemoryLimitBackend)
    admission, _ = await admit(policy)
    assert admission.buckets
    if policy.in_process:
        assert policy.settle_now(admission, 5, 5, 0.25) == 0.25
        assert backend._scopes["key:k1"].reservations == {}  # type: ignore[attr-defined]
    else:  # a backend that waits is never settled without its coroutine
        with pytest.raises(RuntimeError):
            policy.settle_now(admission, 5, 5, 0.25)
        assert not admission.settled
        await done(policy, admission, 0.25)
    assert admission.settled
    # Settled once: the usage is priced again for the caller, nothing is charged twice.
    assert policy.settle_now(admission, 5, 5, None) == pytest.approx(10e-6)
    _, headers = await admit(policy)
    assert headers["x-ratelimit-remaining-requests"] == "3"
    # Nothing reserved (no limit applies): any backend settles without waiting.
    cache.put_key(key_record())
    unlimited, _ = await admit(policy)
    assert unlimited.buckets == ()
    assert policy.settle_now(unlimited, 5, 5, None) == pytest.approx(10e-6)
    assert unlimited.settled
