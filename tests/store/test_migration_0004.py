"""Migration 0004 (end users' and budgets' new columns) on a database holding data.

A first draft rebuilt ``lockgate_budgets`` on SQLite (Alembic's batch mode): dropping the
old table fired the end users' ``ON DELETE SET NULL`` and silently unlinked every end user
from its budget. Here end users linked to budgets go up to head and back down to 0003, and
every row, link and foreign key must come through unchanged, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, inspect, select, text, update

from lockgate.store import Store, current_revision, head_revision, upgrade
from lockgate.store.access_tables import BudgetRow, EndUserRow

BEFORE = "0003_admin"
# The columns as 0003 left them: they must hold the same values after every step.
BUDGET_COLUMNS = (
    "id, max_budget, soft_budget, budget_duration, tpm_limit, rpm_limit,"
    " max_parallel_requests, created_at"
)
END_USER_COLUMNS = "id, alias, blocked, budget_id, spend, created_at"
ADDED = {
    "lockgate_budgets": {"model_max_budget", "created_by", "updated_at", "updated_by"},
    "lockgate_end_users": {"allowed_model_region", "default_model", "metadata"},
}
Snapshot = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


async def _seed(store: Store) -> None:
    async with store.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO lockgate_budgets (id, max_budget, soft_budget, budget_duration,"
                " tpm_limit, rpm_limit, max_parallel_requests, created_at) VALUES"
                " ('b-team', 10.5, 8.0, '30d', 100000, 60, 4, '2024-05-01 10:00:00'),"
                " ('b-free', NULL, NULL, NULL, NULL, 5, NULL, '2024-05-02 11:30:00')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO lockgate_end_users (id, alias, blocked, budget_id, spend,"
                " created_at) VALUES"
                " ('acme-user', 'Acme', false, 'b-team', 2.25, '2024-05-03 09:00:00'),"
                " ('beta-user', NULL, true, 'b-free', 0.0, '2024-05-04 09:00:00'),"
                " ('walk-in', 'no budget', false, NULL, 0.5, '2024-05-05 09:00:00')"
            )
        )


async def _snapshot(store: Store) -> Snapshot:
    async with store.engine.connect() as connection:
        budgets = await connection.execute(
            text(f"SELECT {BUDGET_COLUMNS} FROM lockgate_budgets ORDER BY id")
        )
        end_users = await connection.execute(
            text(f"SELECT {END_USER_COLUMNS} FROM lockgate_end_users ORDER BY id")
        )
        return [tuple(r) for r in budgets], [tuple(r) for r in end_users]


async def _columns(store: Store, table: str) -> set[str]:
    async with store.engine.connect() as connection:
        return await connection.run_sync(
            lambda c: {column["name"] for column in inspect(c).get_columns(table)}
        )


def _downgrade_sync(connection: Connection, revision: str) -> None:
    # The packaged scripts, run on this connection by the same env.py as an upgrade.
    config = AlembicConfig()
    config.set_main_option(
        "script_location", str(resources.files("lockgate.store").joinpath("migrations"))
    )
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def _downgrade(store: Store, revision: str) -> None:
    async with store.engine.connect() as connection:
        await connection.run_sync(_downgrade_sync, revision)
        await connection.commit()


async def _links(store: Store) -> dict[str, str | None]:
    async with store.session() as session:
        rows = await session.scalars(select(EndUserRow))
        return {row.id: row.budget_id for row in rows}


async def test_0004_up_and_down_keeps_end_users_linked_to_their_budgets(store: Store) -> None:
    await upgrade(store.engine, BEFORE)
    assert await current_revision(store.engine) == BEFORE
    await _seed(store)
    before = await _snapshot(store)
    assert [user[3] for user in before[1]] == ["b-team", "b-free", None]

    await store.migrate()
    assert await current_revision(store.engine) == head_revision()
    assert await _snapshot(store) == before
    assert await _links(store) == {"acme-user": "b-team", "beta-user": "b-free", "walk-in": None}
    # Old rows read through the declared tables: the new columns hold their defaults.
    async with store.session() as session:
        user = await session.get(EndUserRow, "acme-user")
        budget = await session.get(BudgetRow, "b-team")
    assert user is not None and budget is not None
    assert (user.metadata_, user.allowed_model_region, user.default_model) == ({}, None, None)
    assert budget.model_max_budget == {}
    assert (budget.created_by, budget.updated_at, budget.updated_by) == (None, None, None)

    # The new columns in use, then back to 0003: they go, nothing else does.
    async with store.session() as session, session.begin():
        await session.execute(
            update(EndUserRow)
            .where(EndUserRow.id == "acme-user")
            .values(allowed_model_region="eu", default_model="gpt-4o", metadata_={"tier": "gold"})
        )
        await session.execute(
            update(BudgetRow)
            .where(BudgetRow.id == "b-team")
            .values(model_max_budget={"gpt-4o": {"max_budget": 1.0}}, created_by="admin")
        )
    await _downgrade(store, BEFORE)
    assert await current_revision(store.engine) == BEFORE
    assert await _snapshot(store) == before
    for table, added in ADDED.items():
        assert not added & await _columns(store, table), table

    # Up again, and the foreign key still works: deleting a budget unlinks only its users.
    await store.migrate()
    assert await _snapshot(store) == before
    async with store.engine.begin() as connection:
        await connection.execute(text("DELETE FROM lockgate_budgets WHERE id = 'b-free'"))
    assert await _links(store) == {"acme-user": "b-team", "beta-user": None, "walk-in": None}
