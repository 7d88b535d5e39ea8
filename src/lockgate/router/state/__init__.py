"""The router's shared state: one interface, an in-process and a Redis implementation.

``RedisRouterState`` is imported on first use, so the SDK works without the redis package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lockgate.router.state.base import LatencyUpdate, Needs, RouterState, Snapshot
from lockgate.router.state.memory import InMemoryRouterState

if TYPE_CHECKING:
    from lockgate.router.state.redis_state import RedisRouterState

__all__ = [
    "InMemoryRouterState",
    "LatencyUpdate",
    "Needs",
    "RedisRouterState",
    "RouterState",
    "Snapshot",
]


def __getattr__(name: str) -> Any:
    if name == "RedisRouterState":
        from lockgate.router.state.redis_state import RedisRouterState

        return RedisRouterState
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
