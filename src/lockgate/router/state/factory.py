"""The state a router gets when none is passed in: Redis when ``router_settings`` names
one, else this process's memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lockgate.router.state.base import RouterState
from lockgate.router.state.memory import InMemoryRouterState

if TYPE_CHECKING:
    from lockgate.config import Config

__all__ = ["state_for"]


def state_for(config: Config, prefix: str) -> RouterState:
    """Redis when router_settings names one, else this process's memory."""
    settings = config.router
    if settings.redis_url is None and settings.redis_host is None:
        return InMemoryRouterState()
    from lockgate.router.state.redis_state import RedisRouterState  # redis is optional

    password = settings.redis_password.reveal() if settings.redis_password else None
    if settings.redis_url is not None:
        return RedisRouterState.from_url(
            settings.redis_url.reveal(), password=password, prefix=prefix
        )
    assert settings.redis_host is not None
    return RedisRouterState.from_host(
        settings.redis_host, settings.redis_port or 6379, password=password, prefix=prefix
    )
