"""How many times a failed request is tried again within its model group, and how long
to wait first.

A retry goes to a deployment this request has not tried when there is one, and then it
does not wait (``retry_after`` aside: LiteLLM's minimum pause between attempts). When only
deployments already tried remain, it waits: the provider's ``retry-after`` if it sent one
(a wait over ``max_retry_after`` ends the retries), else an exponential backoff with
jitter. Errors that say a deployment cannot serve at all (401, 403, 404) are retried only
on a deployment not tried yet.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from lockgate.errors import LockgateError
from lockgate.router.error_kinds import ErrorClass, classify, policy_name

__all__ = ["RetrySettings"]


def _empty() -> Mapping[str, int]:
    return MappingProxyType({})


def _empty_groups() -> Mapping[str, Mapping[str, int]]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RetrySettings:
    num_retries: int = 2
    retry_after: float = 0.0
    retry_policy: Mapping[str, int] = field(default_factory=_empty)
    model_group_retry_policy: Mapping[str, Mapping[str, int]] = field(default_factory=_empty_groups)
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def retries_for(self, error: LockgateError, group: str, requested: int | None) -> int:
        """Retries allowed after ``error`` in ``group`` (``requested``: the call's own
        ``num_retries``). A retry policy entry for the error's kind wins over everything."""
        policy = self.model_group_retry_policy.get(group) or self.retry_policy
        kind = policy_name(error)
        if kind is not None:
            count = policy.get(f"{kind}Retries")
            if count is not None:
                return count
        if classify(error) in (ErrorClass.REQUEST, ErrorClass.BUDGET):
            return 0
        default = policy.get("DefaultRetries")
        if default is not None:
            return default
        return self.num_retries if requested is None else requested

    def delay(self, attempt: int, error: LockgateError, rng: random.Random) -> float | None:
        """Seconds to wait before retry ``attempt`` (1-based) on a deployment this request
        already tried; None when the provider asks for a longer wait than we accept."""
        if error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            return max(error.retry_after, self.retry_after)
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return max(ceiling / 2.0 + rng.uniform(0.0, ceiling / 2.0), self.retry_after)
