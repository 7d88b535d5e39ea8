"""The gateway's control plane: the store, the key cache, limits and budgets, the spend
writer and cross-instance invalidation. Built once per process (it outlives config
reloads), started in the app's startup and closed at shutdown after the last request.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from lockgate.config import Config
from lockgate.keys.access_cache import AccessCache
from lockgate.keys.authenticator import VirtualKeyAuthenticator
from lockgate.keys.invalidation import Invalidator
from lockgate.keys.key_hasher import KeyHasher
from lockgate.keys.loader import AccessLoader
from lockgate.keys.server_secret import load_or_create_server_secret
from lockgate.limits.buckets import LimitBackend
from lockgate.limits.memory_backend import InMemoryLimitBackend
from lockgate.limits.request_policy import Admission
from lockgate.limits.windows import budget_window
from lockgate.security.secret import Secret
from lockgate.spend.retention import delete_old_spend_logs
from lockgate.spend.writer import SpendWriter
from lockgate.store import Store, async_database_url, default_sqlite_url
from lockgate.store.spend_tables import BudgetWindowRow

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["ControlPlane", "redis_client_for"]

DEFAULT_SPEND_INTERVAL = 1.0
_POOL_SIZE = 64
_POOL_WAIT = 5.0


def redis_client_for(config: Config) -> Redis | None:
    """A client on a bounded pool: under load, requests wait for a free connection (up to
    ``_POOL_WAIT`` seconds) rather than fail."""
    settings = config.router
    if settings.redis_url is None and settings.redis_host is None:
        return None
    from redis.asyncio import BlockingConnectionPool, Redis  # only when Redis is configured

    password = settings.redis_password.reveal() if settings.redis_password else None
    options: dict[str, Any] = {
        "max_connections": _POOL_SIZE,
        "timeout": _POOL_WAIT,
        "socket_timeout": 2.0,
        "socket_connect_timeout": 2.0,
    }
    if password is not None:
        options["password"] = password
    if settings.redis_url is not None:
        pool = BlockingConnectionPool.from_url(settings.redis_url.reveal(), **options)
    elif settings.redis_host is not None:
        pool = BlockingConnectionPool(
            host=settings.redis_host, port=settings.redis_port or 6379, **options
        )
    else:
        return None
    return Redis.from_pool(pool)  # the client owns (and closes) its pool


class ControlPlane:
    def __init__(self, config: Config, data_dir: Path) -> None:
        general, settings = config.general, config.lockgate
        url = (
            async_database_url(general.database_url.reveal())
            if general.database_url
            else default_sqlite_url(data_dir)
        )
        self.instance_id = uuid.uuid4().hex
        self.store = Store.from_url(url, pool_size=general.database_connection_pool_limit)
        self.secret: Secret = load_or_create_server_secret(settings.salt_key, data_dir)
        self.hasher = KeyHasher(self.secret)
        self.cache = AccessCache()
        self.loader = AccessLoader(self.store, self.cache)
        self.authenticator = VirtualKeyAuthenticator(self.hasher, self.cache)
        self.redis = redis_client_for(config)
        self.limits: LimitBackend
        if self.redis is not None:
            from lockgate.limits.redis_backend import RedisLimitBackend

            self.limits = RedisLimitBackend(self.redis, settings.redis_prefix)
        else:
            self.limits = InMemoryLimitBackend()
        self.spend_enabled = not general.disable_spend_logs
        self.log_payloads = settings.log_payloads
        retention = settings.spend_log_retention_days
        self.spend = SpendWriter(
            self.store,
            interval=general.proxy_batch_write_at or DEFAULT_SPEND_INTERVAL,
            housekeeping=(lambda: self._retention(retention)) if retention else None,
        )
        self.invalidator = Invalidator(
            self.redis,
            "{" + settings.redis_prefix + "}:invalidate",
            self.instance_id,
            self._refresh,
        )
        # Set by the app: rebuild the router when deployments added by API change.
        self.on_models_changed: Callable[[], Awaitable[None]] | None = None
        self._started = False

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        try:
            await self.store.migrate()
            await self.loader.load_all()
            await self._seed_budget_windows()
            self.spend.start()
            await self.invalidator.start()
        except BaseException:
            await self.aclose()
            raise

    async def _seed_budget_windows(self) -> None:
        """Counters start from the spend the store knows for each budget's current window."""
        import time

        now = time.time()
        current: dict[str, tuple[int, float]] = {}
        for kind, records in (
            ("key", self.cache.keys()),
            ("team", self.cache.teams.values()),
            ("user", self.cache.users.values()),
            ("org", self.cache.orgs.values()),
            ("end_user", self.cache.end_users.values()),
        ):
            for record in records:
                limits: Any = record.limits
                if limits.max_budget is not None:
                    current[f"{kind}:{record.id}"] = budget_window(limits.budget_duration, now)
        if not current:
            return
        rows = await self.store.find(BudgetWindowRow)
        seeds = [
            (row.scope, row.window, row.spend_nano, current[row.scope][1])
            for row in rows
            if row.scope in current and current[row.scope][0] == row.window
        ]
        await self.limits.seed(seeds)

    async def _retention(self, days: int) -> None:
        await delete_old_spend_logs(self.store, days)

    async def _refresh(self, kind: str, ident: str) -> None:
        if kind == "model":
            if self.on_models_changed is not None:
                await self.on_models_changed()
            return
        await self.loader.refresh(kind, ident)

    async def changed(self, kind: str, ident: str) -> None:
        """An entity changed here: reload it locally and tell the other instances."""
        await self._refresh(kind, ident)
        await self.invalidator.publish(kind, ident)

    def budget_windows(self, admission: Admission, nano: int) -> tuple[tuple[str, int, int], ...]:
        return tuple(
            (b.scope, b.window, nano) for b in admission.buckets if b.budget_nano is not None
        )

    async def aclose(self) -> None:
        try:
            await self.invalidator.aclose()
            await self.spend.aclose()
            await self.limits.aclose()
        finally:
            if self.redis is not None:
                await self.redis.aclose()
            await self.store.aclose()

    async def find_keys_for_user(self, user_id: str) -> list[str]:
        from lockgate.store.access_tables import KeyRow

        async with self.store.session() as session:
            return list(
                (await session.scalars(select(KeyRow.id).where(KeyRow.user_id == user_id))).all()
            )
