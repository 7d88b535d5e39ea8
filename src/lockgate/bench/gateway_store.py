"""The gateway's store for one benchmark run: SQLite in the temp dir, or a fresh PostgreSQL
database, Redis under a prefix of the run's own, a server secret, and `--keys N` seeded.

Everything made here is removed when the run's `ExitStack` closes: the PostgreSQL database
is dropped, the Redis keys under the run's prefix deleted (the SQLite file goes with the
temp dir).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from redis.exceptions import RedisError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from lockgate.bench.event_loop import run_async
from lockgate.bench.key_seed import SeededKeys, seed_keys
from lockgate.security.secret import Secret
from lockgate.store import async_database_url, default_sqlite_url

__all__ = ["GatewayStore", "prepare_gateway_store", "store_config_yaml"]

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class GatewayStore:
    """What the gateway's config must say to use the prepared store, and what it holds."""

    kind: str  # "SQLite" or "PostgreSQL"
    salt_key: str
    database_url: str | None  # None: SQLite in the gateway's --data-dir
    redis_url: str | None
    redis_prefix: str | None
    seeded: SeededKeys | None


def _yaml_str(text: str) -> str:
    # A JSON string is a YAML double-quoted string.
    import json

    return json.dumps(text)


def store_config_yaml(store: GatewayStore) -> tuple[str, str]:
    """(lines for ``general_settings``, whole sections) pointing the gateway at `store`."""
    general = ""
    if store.database_url is not None:
        general = f"  database_url: {_yaml_str(store.database_url)}\n"
    lockgate = f"  salt_key: {_yaml_str(store.salt_key)}\n"
    router = ""
    if store.redis_url is not None and store.redis_prefix is not None:
        router = f"router_settings:\n  redis_url: {_yaml_str(store.redis_url)}\n"
        lockgate += f"  redis_prefix: {_yaml_str(store.redis_prefix)}\n"
    return general, "lockgate_settings:\n" + lockgate + router


def _database_name() -> str:
    return f"lockgate_bench_{uuid.uuid4().hex[:12]}"


async def _admin(admin_url: str, statement: str) -> None:
    """One statement outside a transaction (CREATE/DROP DATABASE cannot run in one)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(async_database_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _delete_redis_prefix(url: str, prefix: str) -> int:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2.0)
    try:
        keys = [k async for k in client.scan_iter(match=f"*{prefix}*", count=1000)]
        for start in range(0, len(keys), 500):
            await client.delete(*keys[start : start + 500])
    finally:
        await client.aclose()
    return len(keys)


async def _check_redis(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2.0)
    try:
        await client.ping()
    finally:
        await client.aclose()


def _postgres(admin_url: str, stack: ExitStack, log: Progress) -> str:
    """A fresh database on the server of `admin_url`; its LiteLLM-style URL."""
    parsed = make_url(admin_url)
    if parsed.get_backend_name() != "postgresql":
        raise RuntimeError("--database-url: give a postgresql:// URL (SQLite is the default)")
    plain = parsed.set(drivername="postgresql")
    admin = plain.render_as_string(hide_password=False)
    name = _database_name()
    log(f"creating PostgreSQL database {name}")
    # The name is ours (letters, digits, underscores): safe to quote into the statement.
    run_async(_admin(admin, f'CREATE DATABASE "{name}"'))
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    stack.callback(lambda: run_async(_admin(admin, drop)))
    return plain.set(database=name).render_as_string(hide_password=False)


def prepare_gateway_store(
    *,
    keys: int,
    database_url: str | None,
    redis_url: str | None,
    data_dir: Path,
    stack: ExitStack,
    log: Progress,
) -> GatewayStore:
    """Make the store (and Redis prefix) for this run and seed `keys` keys into it."""
    salt = secrets.token_urlsafe(48)
    try:
        gateway_url = _postgres(database_url, stack, log) if database_url else None
    except (OSError, SQLAlchemyError) as exc:
        raise RuntimeError(f"--database-url: cannot create the run's database: {exc}") from None
    prefix = None
    if redis_url is not None:
        try:
            run_async(_check_redis(redis_url))
        except (OSError, RedisError) as exc:
            raise RuntimeError(f"--redis-url: Redis does not answer: {exc}") from None
        prefix = f"lockgate-bench-{uuid.uuid4().hex[:12]}"
        log(f"Redis keys of this run under the prefix {prefix}")

        def clean() -> None:
            deleted = run_async(_delete_redis_prefix(redis_url, prefix))
            log(f"deleted {deleted} Redis keys under the prefix {prefix}")

        stack.callback(clean)
    seeded = None
    if keys > 0:
        url = async_database_url(gateway_url) if gateway_url else default_sqlite_url(data_dir)
        log(f"seeding {keys:,} virtual keys into the gateway's store")
        seeded = run_async(seed_keys(url, Secret(salt), keys))
        log(f"seeded {keys:,} keys in {seeded.seconds:.1f}s")
    return GatewayStore(
        kind="PostgreSQL" if gateway_url else "SQLite",
        salt_key=salt,
        database_url=gateway_url,
        redis_url=redis_url,
        redis_prefix=prefix,
        seeded=seeded,
    )
