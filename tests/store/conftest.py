"""A store on each database the gateway supports: SQLite in a temporary folder and a fresh
PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lockgate.store import Store, async_database_url
from tests.servers import postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        made = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'lockgate.db'}")
        yield made
        await made.aclose()
        return
    async with postgres_database() as url:
        made = Store.from_url(async_database_url(url))
        yield made
        await made.aclose()
