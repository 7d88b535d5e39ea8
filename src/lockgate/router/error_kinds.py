"""How the router treats each error: retry it, cool the deployment down, or give up.

The policy names are LiteLLM's (``RateLimitErrorRetries``, ``RateLimitErrorAllowedFails``),
so a ``retry_policy`` or ``allowed_fails_policy`` written for LiteLLM means the same here.
"""

from __future__ import annotations

import enum

from lockgate.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    BudgetExceededError,
    ContentPolicyViolationError,
    ContextWindowExceededError,
    InternalServerError,
    LockgateError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServiceUnavailableError,
    UnprocessableEntityError,
)

__all__ = ["ErrorClass", "classify", "policy_name"]


class ErrorClass(enum.Enum):
    # The request itself is at fault (400, 422, context window, content policy): another
    # deployment of the same group would refuse it too. Never retried, never counted.
    REQUEST = "request"
    # This deployment cannot serve anyone (bad key, no access, unknown model): another
    # deployment may. Retried only on a deployment not tried yet; cooled down at once.
    DEPLOYMENT = "deployment"
    # Rate limits, timeouts, 5xx, broken connections: retried with backoff; counted.
    TRANSIENT = "transient"
    # Our own budget said no: nothing upstream is wrong and retrying will not help.
    BUDGET = "budget"


def classify(error: LockgateError) -> ErrorClass:
    if isinstance(error, BudgetExceededError):
        return ErrorClass.BUDGET
    if isinstance(error, BadRequestError | UnprocessableEntityError):
        return ErrorClass.REQUEST
    if isinstance(error, AuthenticationError | PermissionDeniedError | NotFoundError):
        return ErrorClass.DEPLOYMENT
    if error.retryable or isinstance(error, RateLimitError):
        return ErrorClass.TRANSIENT
    # An unknown non-retryable error (e.g. a 409 mapped to a 500 subclass without retry).
    return ErrorClass.DEPLOYMENT if error.status_code >= 500 else ErrorClass.REQUEST


# Most specific first: ContextWindowExceededError is a BadRequestError, and so on.
_POLICY_NAMES: tuple[tuple[type[LockgateError], str], ...] = (
    (ContentPolicyViolationError, "ContentPolicyViolationError"),
    (ContextWindowExceededError, "BadRequestError"),
    (BadRequestError, "BadRequestError"),
    (AuthenticationError, "AuthenticationError"),
    (NotFoundError, "NotFoundError"),
    (APITimeoutError, "TimeoutError"),
    (RateLimitError, "RateLimitError"),
    (ServiceUnavailableError, "ServiceUnavailableError"),
    (BadGatewayError, "BadGatewayError"),
    (APIConnectionError, "InternalServerError"),
    (InternalServerError, "InternalServerError"),
)


def policy_name(error: LockgateError) -> str | None:
    """The LiteLLM policy prefix for ``error`` ("RateLimitError"), None for other kinds."""
    for cls, name in _POLICY_NAMES:
        if isinstance(error, cls):
            return name
    return None
