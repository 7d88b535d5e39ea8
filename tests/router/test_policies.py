"""The pure policies: which errors retry, cool down and fall back; wildcard filling."""

from __future__ import annotations

import random

import pytest

import lockgate
from lockgate.config import parse_config
from lockgate.router.cooldown import CooldownPolicy
from lockgate.router.deployment import Deployment, build_deployments
from lockgate.router.fallbacks import FallbackTable
from lockgate.router.retries import RetrySettings
from lockgate.router.state import InMemoryRouterState, Needs
from lockgate.router.wildcard import WildcardPattern


def _deployments() -> tuple[Deployment, Deployment]:
    config = parse_config(
        """
model_list:
  - {model_name: g, litellm_params: {model: openai/x, api_key: k}}
  - {model_name: "w/*", litellm_params: {model: "openai/*", api_key: k}}
""",
        env={},
    )
    plain, wildcard = build_deployments(config.model_list, {})
    return plain, wildcard


async def _cooling(state: InMemoryRouterState, deployment: Deployment) -> float:
    return (await state.read((deployment.id,), Needs())).cooldown_left[0]


@pytest.mark.parametrize(
    ("error", "cools_at_once"),
    [
        (lockgate.RateLimitError("slow down"), True),
        (lockgate.AuthenticationError("bad key"), True),
        (lockgate.PermissionDeniedError("no access"), True),
        (lockgate.NotFoundError("no model"), True),
        (lockgate.InternalServerError("boom"), False),
        (lockgate.APITimeoutError("late"), False),
    ],
)
async def test_which_errors_cool_down_at_once(
    error: lockgate.LockgateError, cools_at_once: bool
) -> None:
    plain, _ = _deployments()
    state = InMemoryRouterState()
    policy = CooldownPolicy(allowed_fails=1, cooldown_time=30)
    assert await policy.on_failure(state, plain, error) is cools_at_once
    assert (await _cooling(state, plain) > 0) is cools_at_once


@pytest.mark.parametrize(
    "error",
    [
        lockgate.BadRequestError("bad"),
        lockgate.ContextWindowExceededError("long"),
        lockgate.ContentPolicyViolationError("no"),
        lockgate.UnprocessableEntityError("odd"),
        lockgate.BudgetExceededError("spent"),
    ],
)
async def test_request_errors_never_count(error: lockgate.LockgateError) -> None:
    plain, _ = _deployments()
    state = InMemoryRouterState()
    policy = CooldownPolicy(allowed_fails=0)
    for _ in range(3):
        assert not await policy.on_failure(state, plain, error)
    assert await _cooling(state, plain) == 0.0


async def test_retry_after_sets_the_cooldown_and_is_capped() -> None:
    plain, _ = _deployments()
    state = InMemoryRouterState()
    policy = CooldownPolicy(cooldown_time=5)
    await policy.on_failure(state, plain, lockgate.RateLimitError("x", retry_after=86400))
    assert await _cooling(state, plain) == pytest.approx(3600, abs=1)


async def test_wildcard_404_is_not_held_against_the_deployment() -> None:
    _, wildcard = _deployments()
    state = InMemoryRouterState()
    policy = CooldownPolicy(allowed_fails=0)
    assert not await policy.on_failure(state, wildcard, lockgate.NotFoundError("no such model"))
    assert await _cooling(state, wildcard) == 0.0


async def test_allowed_fails_policy_and_disabled_cooldowns() -> None:
    plain, _ = _deployments()
    state = InMemoryRouterState()
    lenient = CooldownPolicy(allowed_fails_policy={"RateLimitErrorAllowedFails": 2})
    assert not await lenient.on_failure(state, plain, lockgate.RateLimitError("1"))
    assert not await lenient.on_failure(state, plain, lockgate.RateLimitError("2"))
    assert await lenient.on_failure(state, plain, lockgate.RateLimitError("3"))
    off = CooldownPolicy(disabled=True)
    other = InMemoryRouterState()
    assert not await off.on_failure(other, plain, lockgate.RateLimitError("x"))
    assert await _cooling(other, plain) == 0.0


def test_retry_counts_per_error_kind_and_group() -> None:
    settings = RetrySettings(
        num_retries=2,
        retry_policy={"RateLimitErrorRetries": 5, "DefaultRetries": 1},
        model_group_retry_policy={"special": {"TimeoutErrorRetries": 7}},
    )
    assert settings.retries_for(lockgate.RateLimitError("x"), "g", None) == 5
    assert settings.retries_for(lockgate.InternalServerError("x"), "g", None) == 1
    assert settings.retries_for(lockgate.BadRequestError("x"), "g", None) == 0
    assert settings.retries_for(lockgate.APITimeoutError("x"), "special", None) == 7
    assert settings.retries_for(lockgate.InternalServerError("x"), "special", 4) == 4
    plain = RetrySettings(num_retries=2)
    assert plain.retries_for(lockgate.ServiceUnavailableError("x"), "g", None) == 2
    assert plain.retries_for(lockgate.ContextWindowExceededError("x"), "g", None) == 0


def test_backoff_honours_retry_after_and_grows() -> None:
    settings = RetrySettings(retry_after=0.1)
    rng = random.Random(1)
    assert settings.delay(1, lockgate.RateLimitError("x", retry_after=2.5), rng) == 2.5
    assert settings.delay(1, lockgate.RateLimitError("x", retry_after=0.0), rng) == 0.1
    assert settings.delay(1, lockgate.RateLimitError("x", retry_after=61), rng) is None
    first = settings.delay(1, lockgate.InternalServerError("x"), rng)
    fifth = settings.delay(5, lockgate.InternalServerError("x"), rng)
    assert first is not None and 0.25 <= first <= 0.5
    assert fifth is not None and 4.0 <= fifth <= 8.0


def test_fallback_tables() -> None:
    table = FallbackTable(
        fallbacks={"a": ("b", "c"), "*": ("z",)},
        context_window={"a": ("big",)},
        content_policy={},
        default=("d",),
        max_fallbacks=1,
    )
    assert table.after("a", lockgate.InternalServerError("x")) == ("b",)
    assert table.after("q", lockgate.InternalServerError("x")) == ("z",)
    assert table.after("a", lockgate.ContextWindowExceededError("x")) == ("big",)
    assert table.after("a", lockgate.ContentPolicyViolationError("x")) == ("b",)
    assert table.after("a", lockgate.BadRequestError("x")) == ()
    assert table.after("a", lockgate.BudgetExceededError("x")) == ()
    assert table.after("a", lockgate.RateLimitError("x"), ["own"]) == ("own",)
    assert FallbackTable(default=("d", "e")).after("a", lockgate.RateLimitError("x")) == ("d", "e")


def test_can_fall_back_is_false_only_when_no_error_finds_a_fallback() -> None:
    # A False answer lets the executor skip the fallback stage: it must never hide one.
    errors = [
        lockgate.InternalServerError("x"),
        lockgate.ContextWindowExceededError("x"),
        lockgate.ContentPolicyViolationError("x"),
        lockgate.RateLimitError("x"),
    ]
    tables = [
        FallbackTable(),
        FallbackTable(fallbacks={"a": ("a",)}, default=("d",)),  # only itself: none
        FallbackTable(fallbacks={"*": ("z",)}),
        FallbackTable(context_window={"a": ("big",)}, fallbacks={"a": ()}),
        FallbackTable(content_policy={"*": ("lenient",)}, fallbacks={"a": ()}),
        FallbackTable(default=("d",)),
        FallbackTable(default=("d",), max_fallbacks=0),
        FallbackTable(fallbacks={"b": ("c",)}),
    ]
    answers = []
    for table in tables:
        finds = any(table.after("a", error) for error in errors)
        assert table.can_fall_back("a") == finds
        answers.append(finds)
    assert answers == [False, False, True, True, True, True, False, False]


def test_wildcard_patterns() -> None:
    pattern = WildcardPattern.compile("prefix/*/v*")
    assert pattern.match("prefix/a/b/v2") == ("a/b", "2")
    assert pattern.match("other/a/v2") is None
    assert WildcardPattern.fill("openai/*-*", ("x", "y")) == "openai/x-y"
    assert WildcardPattern.fill("openai/*", ("x", "y")) == "openai/x"
    assert WildcardPattern.fill("*/*", ("x",)) == "x/x"
