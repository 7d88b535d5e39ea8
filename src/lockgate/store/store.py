"""The store: an async engine and a few generic, parameterised operations on the tables.

Every statement is built with SQLAlchemy's expression language (bound parameters only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, delete, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lockgate.store import migrate
from lockgate.store.admin_tables import AuditRow
from lockgate.store.base import Base
from lockgate.store.engine import create_engine

__all__ = ["Store", "row_dict"]

RowT = TypeVar("RowT", bound=Base)


def row_dict(row: Base, *, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A row's columns by their database names (``metadata``, not ``metadata_``)."""
    mapper = inspect(type(row))
    out: dict[str, Any] = {}
    for attr in mapper.column_attrs:
        name = attr.columns[0].name
        if name not in exclude:
            out[name] = getattr(row, attr.key)
    return out


class Store:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, *, pool_size: int | None = None) -> Store:
        return cls(create_engine(url, pool_size=pool_size))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def migrate(self) -> None:
        await migrate.upgrade(self.engine)

    async def aclose(self) -> None:
        await self.engine.dispose()

    def session(self) -> AsyncSession:
        return self.sessions()

    async def get(self, table: type[RowT], ident: Any) -> RowT | None:
        async with self.sessions() as session:
            return await session.get(table, ident)

    async def find(
        self,
        table: type[RowT],
        *where: ColumnElement[bool],
        order_by: Any = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[RowT]:
        query = select(table).where(*where)
        if order_by is not None:
            query = query.order_by(order_by)
        query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        async with self.sessions() as session:
            return list((await session.scalars(query)).all())

    async def count(self, table: type[RowT], *where: ColumnElement[bool]) -> int:
        async with self.sessions() as session:
            value = await session.scalar(select(func.count()).select_from(table).where(*where))
            return int(value or 0)

    async def add(self, row: RowT) -> RowT:
        async with self.sessions() as session, session.begin():
            session.add(row)
        return row

    async def update(
        self, table: type[RowT], ident: Any, values: Mapping[str, Any]
    ) -> tuple[dict[str, Any], RowT] | None:
        """Set attributes (by attribute name); (the row before, the row after) or None."""
        async with self.sessions() as session, session.begin():
            row = await session.get(table, ident, with_for_update=self.dialect != "sqlite")
            if row is None:
                return None
            before = row_dict(row)
            for name, value in values.items():
                setattr(row, name, value)
        return before, row

    async def delete(self, table: type[RowT], ident: Any) -> RowT | None:
        async with self.sessions() as session, session.begin():
            row = await session.get(table, ident)
            if row is None:
                return None
            await session.delete(row)
        return row

    async def delete_where(self, table: type[RowT], *where: ColumnElement[bool]) -> int:
        async with self.sessions() as session, session.begin():
            result = await session.execute(delete(table).where(*where))
            return int(getattr(result, "rowcount", 0) or 0)

    async def audit(
        self,
        *,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        before: Any = None,
        after: Any = None,
        request_id: str = "",
    ) -> None:
        await self.add(
            AuditRow(
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=object_id,
                before=before,
                after=after,
                request_id=request_id,
            )
        )

    async def all_rows(self, tables: Sequence[type[Base]]) -> list[list[Any]]:
        """Every row of several tables, read in one session (the cache's start-up load)."""
        async with self.sessions() as session:
            return [list((await session.scalars(select(t))).all()) for t in tables]
