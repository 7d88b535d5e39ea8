"""Apply the packaged Alembic migrations (on start and by ``lockgate db upgrade``).

Several instances may start at once against one PostgreSQL database: the upgrade runs
under an advisory lock, so exactly one applies each revision and the others wait. A
database already at :data:`HEAD` is recognised with one query, without loading Alembic.
"""

from __future__ import annotations

import asyncio
from importlib import resources
from typing import IO, TYPE_CHECKING, Final

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

__all__ = ["HEAD", "current_revision", "head_revision", "upgrade"]

# The newest revision in migrations/versions (a test checks it against the scripts).
HEAD: Final = "0005_other_keys_index"
# An arbitrary, fixed 64-bit number naming lockgate's migration lock in PostgreSQL.
_ADVISORY_LOCK: Final = 0x6C6F636B67617465


def _alembic_config(connection: Connection | None = None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    location = resources.files("lockgate.store").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _upgrade_sync(connection: Connection, revision: str) -> None:
    from alembic import command

    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _ADVISORY_LOCK})
    try:
        command.upgrade(_alembic_config(connection), revision)
    finally:
        if postgres:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _ADVISORY_LOCK})


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest)."""
    if revision in ("head", HEAD) and await current_revision(engine) == HEAD:
        return
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        # Worker processes sharing one SQLite file: one migrates, the others wait.
        lock = await asyncio.to_thread(_file_lock, f"{database}.migrate-lock")
        try:
            await _upgrade(engine, revision)
        finally:
            lock.close()
    else:
        await _upgrade(engine, revision)


async def _upgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_upgrade_sync, revision)
        await connection.commit()


def _file_lock(path: str) -> IO[bytes]:
    import fcntl  # POSIX; the gateway runs on Linux and macOS

    handle = open(path, "ab")  # noqa: SIM115 - held until the migration is done
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        try:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:  # no table yet: an empty database
            await connection.rollback()
            return None
        versions = [row[0] for row in result]
    return versions[0] if len(versions) == 1 else None
