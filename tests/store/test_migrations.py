"""Migrations: they upgrade a database that already holds data, and produce exactly the
tables the code declares (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from lockgate.store import Store, current_revision, head_revision, upgrade
from lockgate.store.plain_keys import OTHER_KEYS_INDEX
from lockgate.store.tables import metadata


async def test_upgrade_keeps_existing_data(store: Store) -> None:
    await upgrade(store.engine, "0001_access")
    assert await current_revision(store.engine) == "0001_access"
    async with store.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO lockgate_teams (id, alias, blocked, spend, models, metadata,"
                " created_at, updated_at) VALUES ('t1', 'old team', false, 1.5, '[]', '{}',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO lockgate_keys (id, digest, key_name, team_id, aliases, tags,"
                " model_rpm_limit, model_tpm_limit, blocked, spend, models, metadata, created_at,"
                " updated_at) VALUES ('k1', :digest, 'sk-...abcd', 't1', '{}', '[]', '{}', '{}',"
                " false, 0.25, '[\"gpt-4o\"]', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"digest": "ab" * 32},
        )
    await store.migrate()
    assert await current_revision(store.engine) == head_revision()
    async with store.engine.connect() as connection:
        key = (
            await connection.execute(text("SELECT team_id, spend, models FROM lockgate_keys"))
        ).one()
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert key[0] == "t1" and key[1] == 0.25
    assert {"lockgate_spend_logs", "lockgate_audit_log", "lockgate_model_deployments"} <= tables
    await store.migrate()  # idempotent


async def test_migrations_match_the_declared_tables(store: Store) -> None:
    await store.migrate()

    def differences(connection: Connection) -> list[object]:
        def declared_here(item: object, name: str | None, kind: str, *_: object) -> bool:
            # Alembic ignores an index's ddl_if: the SQLite-only index is not declared on
            # PostgreSQL.
            sqlite_only = kind == "index" and name == OTHER_KEYS_INDEX.name
            return connection.dialect.name == "sqlite" or not sqlite_only

        opts = {"compare_type": True, "include_object": declared_here}
        context = MigrationContext.configure(connection, opts=opts)
        return [d for d in compare_metadata(context, metadata) if not _ignorable(d)]

    async with store.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


def _ignorable(diff: object) -> bool:
    # alembic's own version table is not ours.
    return "alembic_version" in repr(diff)


def test_head_constant_matches_the_scripts() -> None:
    from lockgate.store.migrate import HEAD

    assert head_revision() == HEAD
