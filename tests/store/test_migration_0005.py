"""Migration 0005 (SQLite's partial index of the keys that are not plain) on a database
holding keys: up and down again, every key still read at start-up, no row touched, and the
index only where it is meant to be."""

from __future__ import annotations

from sqlalchemy import inspect, text

from lockgate.keys.key_scan import read_key_table
from lockgate.store import Store, current_revision, head_revision, upgrade
from tests.store.test_migration_0004 import _downgrade

BEFORE = "0004_end_users"
INDEX = "ix_lockgate_keys_other"
KEYS = "id, digest, key_name, max_budget, blocked, spend"


async def _seed(store: Store) -> None:
    async with store.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO lockgate_keys (id, digest, key_name, max_budget, aliases, tags,"
                " model_rpm_limit, model_tpm_limit, blocked, spend, models, metadata,"
                " created_at, updated_at) VALUES"
                " ('plain', :a, 'sk-...aaaa', NULL, '{}', '[]', '{}', '{}', false, 0, '[]',"
                " '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
                " ('budget', :b, 'sk-...bbbb', 2.5, '{}', '[]', '{}', '{}', false, 0.5, '[]',"
                " '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
                " ('blocked', :c, 'sk-...cccc', NULL, '{}', '[]', '{}', '{}', true, 0, '[]',"
                " 'null', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"a": "a" * 64, "b": "b" * 64, "c": "c" * 64},
        )


async def _keys(store: Store) -> list[tuple[object, ...]]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(text(f"SELECT {KEYS} FROM lockgate_keys ORDER BY id"))
        return [tuple(row) for row in rows]


async def _indexes(store: Store) -> set[str]:
    async with store.engine.connect() as connection:
        return await connection.run_sync(
            lambda c: {str(i["name"]) for i in inspect(c).get_indexes("lockgate_keys")}
        )


async def _loaded_ids(store: Store) -> set[str]:
    table = await read_key_table(store)
    ids = {ident for ident in ("plain", "budget", "blocked") if table.take_id(ident)}
    assert len(table) == 0
    return ids


async def test_0005_up_and_down_keeps_every_key(store: Store) -> None:
    sqlite = store.engine.dialect.name == "sqlite"
    await upgrade(store.engine, BEFORE)
    await _seed(store)
    before = await _keys(store)
    assert INDEX not in await _indexes(store)

    await store.migrate()
    assert await current_revision(store.engine) == head_revision()
    assert (INDEX in await _indexes(store)) is sqlite
    assert await _keys(store) == before
    assert await _loaded_ids(store) == {"plain", "budget", "blocked"}

    await _downgrade(store, BEFORE)
    assert await current_revision(store.engine) == BEFORE
    assert INDEX not in await _indexes(store)
    assert await _keys(store) == before
    assert await _loaded_ids(store) == {"plain", "budget", "blocked"}
