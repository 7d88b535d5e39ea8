"""The gateway's control plane: the store, the key cache, limits and budgets, the spend
writer and cross-instance invalidation. Built once per process (it outlives config
reloads), started in the app's startup and closed at shutdown after the last request.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select

from lockgate.config import Config, DeploymentConfig
from lockgate.keys.access_cache import AccessCache
from lockgate.keys.authenticator import VirtualKeyAuthenticator
from lockgate.keys.credential_cipher import CredentialCipher
from lockgate.keys.deployment_store import DeploymentStore
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

    from lockgate.gateway.state import GatewayState

__all__ = ["ControlPlane", "StateHolder", "redis_client_for"]

_log = logging.getLogger(__name__)


class StateHolder(Protocol):
    """The app: the state requests start from, swapped whole when deployments change."""

    state: GatewayState

    def replace_state(self, state: GatewayState) -> GatewayState: ...


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
        # Provider credentials of API-added deployments: AES-GCM under a key derived from
        # the same secret (separately from the HMAC key).
        self.deployments = DeploymentStore(self.store, CredentialCipher(self.secret))
        self.api_deployments: tuple[DeploymentConfig, ...] = ()
        self._holder: StateHolder | None = None
        self._retired: list[GatewayState] = []
        self._models_lock = asyncio.Lock()
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
            # Subscribed before the store is read, so no change made meanwhile is missed.
            await self.invalidator.start()
            await self.loader.load_all()
            await self._reload_models()
            await self._seed_budget_windows()
            self.spend.start()
            self.invalidator.open()
        except BaseException:
            await self.aclose()
            raise

    async def _seed_budget_windows(self) -> None:
        """Counters start from the spend the store knows for each budget's current window."""
        import time

        now = time.time()
        current: dict[str, tuple[int, float]] = {}
        for kind, records in (
            ("key", self.cache.keys_with_budget()),  # builds only these keys' records
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

    def serve(self, holder: StateHolder) -> None:
        """Swap ``holder``'s state whenever the deployments added through the API change."""
        self._holder = holder

    async def _reload_models(self) -> None:
        """Read the API-added deployments from the store and rebuild the router with them;
        requests in flight finish on the state they started with."""
        async with self._models_lock:
            self.api_deployments = tuple(await self.deployments.load())
            holder = self._holder
            if holder is not None:
                from lockgate.gateway.state import rebuild_state

                try:
                    state = rebuild_state(holder.state)
                except Exception as error:  # keep serving what worked
                    _log.error("deployments not applied: %s", error)
                else:
                    self._retired.append(holder.replace_state(state))
        if self.on_models_changed is not None:
            await self.on_models_changed()

    async def _refresh(self, kind: str, ident: str) -> None:
        if kind == "model":
            await self._reload_models()
            return
        await self.loader.refresh(kind, ident)
        if kind == "all":  # after a lost connection: model changes may have been missed too
            await self._reload_models()

    async def changed(self, kind: str, ident: str) -> None:
        """An entity changed here: reload it locally and tell the other instances."""
        await self._refresh(kind, ident)
        await self.invalidator.publish(kind, ident)

    def budget_windows(self, admission: Admission, nano: int) -> tuple[tuple[str, int, int], ...]:
        # Once per request: a list comprehension is quicker than a generator here.
        return tuple(
            [(b.scope, b.window, nano) for b in admission.buckets if b.budget_nano is not None]
        )

    async def aclose(self) -> None:
        try:
            await self.invalidator.aclose()
            # States retired by model changes (they may share the client and router state
            # with the current one, which the app closed first).
            for retired in self._retired:
                await retired.aclose()
            self._retired.clear()
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
