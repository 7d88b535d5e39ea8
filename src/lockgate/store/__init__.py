"""Persistence: SQLAlchemy 2 async on SQLite (default) or PostgreSQL, Alembic migrations.

Never on the hot path: keys and limits are served from memory, spend is written in batches.
"""

from lockgate.store.engine import async_database_url, create_engine, default_sqlite_url
from lockgate.store.migrate import current_revision, head_revision, upgrade
from lockgate.store.store import Store, row_dict

__all__ = [
    "Store",
    "async_database_url",
    "create_engine",
    "current_revision",
    "default_sqlite_url",
    "head_revision",
    "row_dict",
    "upgrade",
]
