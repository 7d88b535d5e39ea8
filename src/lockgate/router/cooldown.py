"""When a failing deployment is taken out of its group, and for how long.

- A 429 (the provider's rate limit), 401, 403 or 404 takes it out at once: for the
  provider's ``retry-after`` when it sent one, else for ``cooldown_time``. A 404 from a
  wildcard deployment does not: it says the *model name* is unknown, not that the
  deployment is broken.
- Other upstream failures (5xx, timeouts, broken connections) are counted; more than
  ``allowed_fails`` within ``failure_window`` seconds take it out for ``cooldown_time``.
- Errors caused by the request (400, 422, context window, content policy) and lockgate's
  own budget refusals are not held against the deployment.
- ``allowed_fails_policy`` (``RateLimitErrorAllowedFails: 100``, ...) replaces both rules
  for the error kinds it names: that many failures are allowed before a cooldown.

A cooled-down deployment comes back by itself when its cooldown expires (a TTL in Redis).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from lockgate.errors import (
    AuthenticationError,
    LockgateError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from lockgate.router.deployment import Deployment
from lockgate.router.error_kinds import ErrorClass, classify, policy_name
from lockgate.router.state.base import RouterState

__all__ = ["MAX_COOLDOWN", "CooldownPolicy"]

# A retry-after beyond this (a daily quota) still cools down, but for at most an hour.
MAX_COOLDOWN: Final = 3600.0


def _no_policy() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class CooldownPolicy:
    allowed_fails: int = 3
    cooldown_time: float = 5.0
    failure_window: float = 60.0
    allowed_fails_policy: Mapping[str, int] = field(default_factory=_no_policy)
    disabled: bool = False

    def _immediate(self, error: LockgateError, deployment: Deployment) -> bool:
        if isinstance(error, NotFoundError):
            return not deployment.is_wildcard
        return isinstance(error, RateLimitError | AuthenticationError | PermissionDeniedError)

    def seconds_for(self, error: LockgateError) -> float:
        if error.retry_after is not None and error.retry_after > 0:
            return min(error.retry_after, MAX_COOLDOWN)
        return self.cooldown_time

    async def on_failure(
        self, state: RouterState, deployment: Deployment, error: LockgateError
    ) -> bool:
        """Record ``error`` against ``deployment``; True when it is now cooling down."""
        if self.disabled or classify(error) in (ErrorClass.REQUEST, ErrorClass.BUDGET):
            return False
        kind = policy_name(error)
        allowed = self.allowed_fails_policy.get(f"{kind}AllowedFails") if kind else None
        if allowed is None and self._immediate(error, deployment):
            await state.start_cooldown(deployment.id, self.seconds_for(error))
            return True
        if allowed is None and isinstance(error, NotFoundError):
            return False  # a wildcard deployment asked for a model it does not have
        return await state.record_failure(
            deployment.id,
            allowed_fails=self.allowed_fails if allowed is None else allowed,
            window=self.failure_window,
            cooldown=self.seconds_for(error),
        )
