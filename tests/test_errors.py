"""The exception tree of the contract and upstream error mapping."""

from __future__ import annotations

import pytest

import lockgate
from lockgate.errors import error_for_status
from lockgate.providers.error_mapping import build_error, retry_after_seconds


def test_tree_matches_the_contract() -> None:
    assert issubclass(lockgate.ContextWindowExceededError, lockgate.BadRequestError)
    assert issubclass(lockgate.ContentPolicyViolationError, lockgate.BadRequestError)
    assert issubclass(lockgate.UnsupportedParamsError, lockgate.BadRequestError)
    assert issubclass(lockgate.BudgetExceededError, lockgate.RateLimitError)
    for cls in (
        lockgate.AuthenticationError,
        lockgate.PermissionDeniedError,
        lockgate.NotFoundError,
        lockgate.APITimeoutError,
        lockgate.RateLimitError,
        lockgate.InternalServerError,
        lockgate.BadGatewayError,
        lockgate.ServiceUnavailableError,
        lockgate.APIConnectionError,
    ):
        assert issubclass(cls, lockgate.LockgateError)


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [
        (400, lockgate.BadRequestError, False),
        (401, lockgate.AuthenticationError, False),
        (403, lockgate.PermissionDeniedError, False),
        (404, lockgate.NotFoundError, False),
        (408, lockgate.APITimeoutError, True),
        (429, lockgate.RateLimitError, True),
        (500, lockgate.InternalServerError, True),
        (502, lockgate.BadGatewayError, True),
        (503, lockgate.ServiceUnavailableError, True),
        (504, lockgate.APITimeoutError, True),
        (529, lockgate.ServiceUnavailableError, True),
        (418, lockgate.BadRequestError, False),
        (599, lockgate.InternalServerError, True),
    ],
)
def test_status_mapping(status: int, cls: type[lockgate.LockgateError], retryable: bool) -> None:
    error = build_error(status, "upstream said no", {})
    assert type(error) is cls
    assert error.retryable is retryable
    assert error_for_status(status) is cls
    # Anthropic's 529 is reported with the contract's 503.
    assert error.status_code == (
        503 if status == 529 else cls.default_status if status in (418, 599) else status
    )


def test_context_window_and_content_policy_refinement() -> None:
    ctx = build_error(
        400,
        "This model's maximum context length is 128000 tokens.",
        {},
        code="context_length_exceeded",
    )
    assert isinstance(ctx, lockgate.ContextWindowExceededError)
    policy = build_error(400, "blocked", {}, code="content_filter")
    assert isinstance(policy, lockgate.ContentPolicyViolationError)


def test_openai_error_body_shape() -> None:
    error = lockgate.RateLimitError(
        "slow down", provider="openai", model="gpt-4o", code="rate_limit_exceeded"
    )
    assert error.to_openai_error() == {
        "error": {
            "message": "slow down",
            "type": "rate_limit_error",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }
    assert "openai/gpt-4o" in str(error)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5", "retry-after-ms": "100"}, 0.1),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(headers) == expected


def test_should_retry_header_overrides() -> None:
    assert build_error(500, "x", {"x-should-retry": "false"}).retryable is False
    assert build_error(400, "x", {"x-should-retry": "true"}).retryable is True
    assert build_error(429, "x", {"retry-after": "2"}).retry_after == 2.0
