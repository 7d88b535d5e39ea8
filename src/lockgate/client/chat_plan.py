"""What a chat call works out from its model and options before anything is built: the
provider row, the adapter, the credentials, the retry policy and the time limits.

Worked out on every call, except with :class:`FixedOptions` (a router deployment's options,
the same on every call to it): there each model's plan is kept on the object, so a gateway
works it out once per deployment instead of once per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from lockgate.client.credentials import CLOUD_OPTIONS
from lockgate.client.params import CALL_OPTIONS
from lockgate.client.retry import RetryPolicy
from lockgate.providers.base import ChatAdapter
from lockgate.providers.call import Credentials
from lockgate.providers.spec import ProviderSpec
from lockgate.transport.messages import Timeouts

__all__ = ["ChatPlan", "FixedOptions", "credentials_are_fixed"]

_MAX_PLANS: Final = 256
# Protocols whose credentials read more of the environment than the key and the api_base.
_ENV_HEAVY_PROTOCOLS: Final = frozenset({"azure", "bedrock", "vertex"})


@dataclass(slots=True)
class ChatPlan:
    spec: ProviderSpec
    upstream_model: str
    mock_response: str | None  # set: the call is answered by a mock, nothing else is used
    adapter: ChatAdapter | None = None
    # None: resolved on every call, as they may come from the environment.
    credentials: Credentials | None = None
    policy: RetryPolicy | None = None
    timeouts: Timeouts | None = None
    # (transport egress policy, whether it allows the configured host by itself).
    host_check: tuple[object, bool] | None = None


class FixedOptions:
    """Client options (``api_key``, ``api_base``, ``timeout``, ... only: names of
    :data:`~lockgate.client.params.CALL_OPTIONS`) that many calls share. Read-only once
    made; the client keeps each model's :class:`ChatPlan` here."""

    __slots__ = ("_plans", "options")

    def __init__(self, options: Mapping[str, Any]) -> None:
        unknown = options.keys() - CALL_OPTIONS
        if unknown:
            raise ValueError(f"not client options: {sorted(unknown)}")
        self.options: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
        self._plans: dict[str, ChatPlan] = {}

    def plan(self, model: str) -> ChatPlan | None:
        return self._plans.get(model)

    def keep(self, model: str, plan: ChatPlan) -> None:
        if len(self._plans) >= _MAX_PLANS:  # bounded: wildcard groups pass callers' names
            self._plans.clear()
        self._plans[model] = plan


def credentials_are_fixed(spec: ProviderSpec, options: Mapping[str, Any]) -> bool:
    """Whether the credentials of a call depend on its options alone (not on the
    environment): then a plan may keep them."""
    return (
        spec.protocol not in _ENV_HEAVY_PROTOCOLS
        and CLOUD_OPTIONS.isdisjoint(options)
        and bool(options.get("api_key"))
        and bool(options.get("api_base") or options.get("base_url"))
    )
