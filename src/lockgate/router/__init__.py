"""The router: deployments grouped by model name, strategies, retries, fallbacks,
cooldowns and health checks, over shared state (in-process or Redis)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lockgate.router.deployment import Deployment
from lockgate.router.health import EndpointHealth, HealthReport
from lockgate.router.router import Router
from lockgate.router.state import InMemoryRouterState, RouterState
from lockgate.router.strategies import STRATEGY_NAMES
from lockgate.router.stream import RoutedStream, SyncRoutedStream

if TYPE_CHECKING:
    from lockgate.router.state.redis_state import RedisRouterState

__all__ = [
    "STRATEGY_NAMES",
    "Deployment",
    "EndpointHealth",
    "HealthReport",
    "InMemoryRouterState",
    "RedisRouterState",
    "RoutedStream",
    "Router",
    "RouterState",
    "SyncRoutedStream",
]


def __getattr__(name: str) -> Any:
    if name == "RedisRouterState":  # redis is an optional dependency (the proxy extra)
        from lockgate.router.state.redis_state import RedisRouterState

        return RedisRouterState
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
