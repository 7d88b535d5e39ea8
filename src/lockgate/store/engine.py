"""The database engine: SQLite in the data folder by default, PostgreSQL from a URL.

LiteLLM's ``postgresql://`` / ``postgres://`` URLs are accepted and given the asyncpg
driver; ``sqlite://`` URLs the aiosqlite driver. Credentials in the URL are never logged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

__all__ = ["async_database_url", "create_engine", "default_sqlite_url", "is_sqlite"]

DB_FILE: Final = "lockgate.db"
_DRIVERS: Final = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


def default_sqlite_url(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite+aiosqlite:///{(data_dir / DB_FILE).resolve()}"


def async_database_url(url: str) -> str:
    """The URL with an async driver (``postgresql://`` → ``postgresql+asyncpg://``)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("a database URL looks like postgresql://user@host/db or sqlite:///path")
    driver = _DRIVERS.get(scheme.lower())
    if driver is None:
        raise ValueError(f"unsupported database scheme {scheme!r}: use postgresql or sqlite")
    return f"{driver}://{rest}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(
    url: str, *, pool_size: int | None = None, timeout: float | None = None
) -> AsyncEngine:
    """An engine for an async URL (see :func:`async_database_url`)."""
    parsed = make_url(url)
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": timeout or 30.0}
    else:
        options["pool_size"] = pool_size or 10
        options["pool_pre_ping"] = True
        if timeout is not None:
            options["pool_timeout"] = timeout
    engine = create_async_engine(parsed, **options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
