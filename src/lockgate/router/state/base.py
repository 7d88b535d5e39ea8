"""The router's shared state behind one interface: cooldowns, failures, usage, latency.

Two implementations: :class:`~lockgate.router.state.memory.InMemoryRouterState` (one
process) and :class:`~lockgate.router.state.redis_state.RedisRouterState` (every gateway
instance sharing one Redis). The router reads a whole model group in one call; the Redis
implementation sends the calls of concurrent requests together, in shared round trips.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final, Protocol, runtime_checkable

__all__ = [
    "IN_FLIGHT_TTL",
    "USAGE_TTL",
    "LatencyUpdate",
    "Needs",
    "RouterState",
    "Snapshot",
    "current_minute",
]

# Per-minute usage counters live a little over a minute; the in-flight count expires when a
# deployment sees no traffic for this long (bounds the drift a crashed instance leaves).
USAGE_TTL: Final = 120
IN_FLIGHT_TTL: Final = 3600


def current_minute(now: float | None = None) -> int:
    """The wall-clock minute usage is counted in (instances agree on it through NTP)."""
    return int((time.time() if now is None else now) // 60)


@dataclass(frozen=True, slots=True)
class Needs:
    """Which figures a routing decision reads besides cooldowns (fixed per router)."""

    in_flight: bool = False
    usage: bool = False
    latency: bool = False


# Made for every routed call and never changed after: not frozen only because a frozen
# dataclass costs several times more to build (each field set through object.__setattr__).
@dataclass(slots=True)
class LatencyUpdate:
    """A latency sample and how to fold it in: ``new = old * (1 - alpha) + sample * alpha``."""

    seconds: float
    alpha: float
    ttl: float


@dataclass(slots=True)
class Snapshot:
    """Figures for the deployments of one read, in the order of the ids asked for.

    A list is None when its figure was not asked for.
    """

    cooldown_left: list[float]  # seconds until the deployment is back; 0.0 when it is up
    in_flight: list[int] | None = None
    rpm: list[int] | None = None  # requests started in the current minute
    tpm: list[int] | None = None  # tokens reported in the current minute
    latency: list[float | None] | None = None  # moving average in seconds; None: no data


@runtime_checkable
class RouterState(Protocol):
    async def read(self, ids: tuple[str, ...], needs: Needs) -> Snapshot:
        """The current figures of ``ids``."""
        ...

    async def begin(self, deployment_id: str) -> None:
        """A request starts: one more in flight, one more request this minute."""
        ...

    async def end(self, deployment_id: str, *, tokens: int, latency: LatencyUpdate | None) -> None:
        """A request ended (in any way): one less in flight, ``tokens`` more this minute."""
        ...

    async def record_failure(
        self, deployment_id: str, *, allowed_fails: int, window: float, cooldown: float
    ) -> bool:
        """Count a failure; past ``allowed_fails`` within ``window`` seconds, cool the
        deployment down for ``cooldown`` seconds and reset the count. True if it did."""
        ...

    async def start_cooldown(self, deployment_id: str, seconds: float) -> None:
        """Take the deployment out for ``seconds`` (an existing longer cooldown stays)."""
        ...

    async def aclose(self) -> None: ...
