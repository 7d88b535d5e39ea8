"""Read every key into cache records quickly: the start-up load with many keys.

The ORM path (``select(KeyRow)`` then ``KeyRecord.of``) builds a full ORM object per row,
decodes six JSON columns and parses three timestamps per row: about 50 µs a key, 5 s for
100,000 keys. Here one Core ``SELECT`` fetches only the columns a record needs, the JSON
columns arrive as text, the usual empty values (``[]``, ``{}``, ``null``) as NULL (shared
immutable empties in the record, nothing parsed); the rest is parsed with orjson. On SQLite
the rows come straight from the driver as tuples, and so do the plain keys on PostgreSQL
(asyncpg, in the snapshot's transaction). Keys with nothing set (most keys) are
read apart as their id and digest alone: two columns a row rather than twenty (on SQLite the
driver's cost is per column, NULL or not), the other keys in full, both in one snapshot.
The cache keeps these rows, packed (`KeyTable`), and builds a key's record when the key is
first looked up (`AccessCache`).

The records are equal to ``KeyRecord.of(row)`` for the same row (a test holds both to it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

import orjson
from sqlalchemy import (
    JSON,
    Select,
    Text,
    case,
    cast,
    func,
    null,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from lockgate.keys.copy_rows import CopyTextRows
from lockgate.keys.key_table import KeyTable, KeyTableBuilder
from lockgate.keys.records import KeyRecord, Limits, ModelAccess
from lockgate.store import Store
from lockgate.store.access_tables import KeyRow
from lockgate.store.plain_keys import EMPTY_JSON, NOT_PLAIN, PLAIN, PLAIN_TAIL, TAIL_COLUMNS

__all__ = [
    "MAX_BUDGET",
    "PLAIN_TAIL",
    "read_key_records",
    "read_key_rows",
    "read_key_table",
    "record_of",
]

_EMPTY_MAP: Final[MappingProxyType[str, Any]] = MappingProxyType({})
_NO_LIMITS: Final = Limits()
_ALL_MODELS: Final = ModelAccess()
_EMPTY_TEXTS: Final = frozenset({"", *EMPTY_JSON})


def _json(value: Any) -> Any:
    """Text (SQLite), or a value the driver already decoded (asyncpg decodes ``json``)."""
    if isinstance(value, str):
        return None if value in _EMPTY_TEXTS else orjson.loads(value)
    return value


def _map(value: Any) -> MappingProxyType[str, Any]:
    decoded = _json(value)
    if not decoded:
        return _EMPTY_MAP
    return MappingProxyType(dict(decoded) if isinstance(decoded, Mapping) else {})


def _models(value: Any) -> ModelAccess:
    decoded = _json(value)
    return ModelAccess.of(decoded) if decoded else _ALL_MODELS


def _tags(value: Any) -> tuple[str, ...]:
    decoded = _json(value)
    return tuple(t for t in decoded if isinstance(t, str)) if decoded else ()


def _limits(
    max_budget: float | None,
    soft_budget: float | None,
    budget_duration: str | None,
    tpm_limit: int | None,
    rpm_limit: int | None,
    max_parallel_requests: int | None,
) -> Limits:
    if (
        max_budget is None
        and soft_budget is None
        and budget_duration is None
        and tpm_limit is None
        and rpm_limit is None
        and max_parallel_requests is None
    ):
        return _NO_LIMITS
    return Limits(
        max_budget=max_budget,
        soft_budget=soft_budget,
        budget_duration=budget_duration,
        tpm_limit=tpm_limit,
        rpm_limit=rpm_limit,
        max_parallel_requests=max_parallel_requests,
    )


def _epoch(value: datetime | str) -> float:
    """A timestamp as epoch seconds; SQLite's driver gives SQLAlchemy's naive UTC text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _as_text(column: Any) -> Any:
    """A JSON column as its text, NULL when empty: no string object a row for the usual
    ``[]`` and ``{}`` (100,000 keys x 6 such columns would hold about 30 MB of them)."""
    text = cast(column, Text)
    return case((text.in_(EMPTY_JSON), null()), else_=text)


_COLUMNS: Final = (
    KeyRow.id,
    KeyRow.digest,
    *(_as_text(c) if isinstance(c.type, JSON) else c for c in TAIL_COLUMNS),
)


def record_of(row: Any) -> KeyRecord:
    (
        ident,
        digest,
        alias,
        user_id,
        team_id,
        org_id,
        models,
        aliases,
        tags,
        max_budget,
        soft_budget,
        budget_duration,
        tpm_limit,
        rpm_limit,
        max_parallel,
        model_rpm,
        model_tpm,
        expires,
        blocked,
        metadata,
    ) = row
    return KeyRecord(
        id=ident,
        digest=digest,
        key_alias=alias,
        user_id=user_id,
        team_id=team_id,
        organization_id=org_id,
        models=_models(models),
        aliases=_map(aliases),
        tags=_tags(tags),
        limits=_limits(
            max_budget, soft_budget, budget_duration, tpm_limit, rpm_limit, max_parallel
        ),
        model_rpm_limit=_map(model_rpm),
        model_tpm_limit=_map(model_tpm),
        expires=_epoch(expires) if expires is not None else None,
        blocked=bool(blocked),
        metadata=_map(metadata),
    )


# Position of ``max_budget`` in a row (the budget seeding builds only the keys with one).
MAX_BUDGET: Final = 9
_PLAIN_KEYS: Final = select(KeyRow.id, KeyRow.digest).where(PLAIN)
# On SQLite this walks the partial index of the other keys (`OTHER_KEYS_INDEX`).
_OTHER_KEYS: Final = select(*_COLUMNS).where(NOT_PLAIN)
# PostgreSQL: every key's id and digest and whether it is plain, in one pass over the table
# (the test costs the server about as much as the read: 0.14 s for 100,000 keys, which two
# queries, plain and not, paid twice); the other keys are then fetched by id.
_FLAGGED_KEYS: Final = select(KeyRow.id, KeyRow.digest, PLAIN)
_ALL_KEYS: Final = select(*_COLUMNS)
_COUNT: Final = select(func.count()).select_from(KeyRow)

_CHUNK = 1000
AddRows = Callable[[Sequence[Any]], None]
_SCAN_CACHE_SIZE = -64  # KiB


class _Snapshot:
    """The scan's queries on one connection, all reading the same state of the store (in
    one transaction: on PostgreSQL a repeatable-read one, as each statement would otherwise
    see the commits made before it)."""

    def __init__(
        self, connection: AsyncConnection, driver: Any = None, postgres: Any = None
    ) -> None:
        self._connection = connection
        self._driver = driver  # SQLite: aiosqlite's Connection, read directly
        self._postgres = postgres  # PostgreSQL: asyncpg's Connection, for the plain keys

    async def count(self) -> int:
        if self._driver is None:
            return int(await self._connection.scalar(_COUNT) or 0)
        async with self._driver.execute(self._sql(_COUNT)) as cursor:
            (count,) = await cursor.fetchone()
        return int(count)

    async def chunks(self, query: Select[*tuple[Any, ...]]) -> AsyncIterator[Sequence[Any]]:
        """The rows of `query`, a thousand at a time: the whole result never sits in
        memory at once (100,000 full rows would cost about 50 MB of RSS, kept after they
        are freed)."""
        if self._driver is None:
            result = await self._connection.stream(query)
            async for partition in result.partitions(_CHUNK):
                yield partition
            return
        # SQLite: straight from the driver (plain tuples); SQLAlchemy's rows and result
        # processing would double the time of the fetch.
        async with self._driver.execute(self._sql(query)) as cursor:
            while chunk := await cursor.fetchmany(_CHUNK):
                yield chunk

    async def split_keys(self, add_plain: AddRows, add_other: AddRows) -> None:
        """Passes the plain keys' ids and digests to `add_plain` and the other keys' full
        rows to `add_other`, a run of rows at a time.

        On PostgreSQL, one COPY stream from asyncpg, in the snapshot's transaction (begun
        by `count`), says which keys are plain: the server sends every row while they are
        packed, where a cursor waited a round trip and the server's work on the next
        thousand rows; the other keys' rows are then read by id."""
        if self._postgres is None or not self._postgres.is_in_transaction():
            async for chunk in self.chunks(_PLAIN_KEYS):
                add_plain(chunk)
            async for chunk in self.chunks(_OTHER_KEYS):
                add_other(chunk)
            return
        others: list[Any] = []

        def sort(rows: Sequence[Sequence[str | None]]) -> None:
            plain = [row for row in rows if row[2] == "t"]
            if len(plain) < len(rows):
                others.extend(row[0] for row in rows if row[2] != "t")
            add_plain(plain)

        flagged = CopyTextRows(sort)
        await self._postgres.copy_from_query(self._sql(_FLAGGED_KEYS), output=flagged)
        flagged.finish()
        for start in range(0, len(others), _CHUNK):
            wanted = others[start : start + _CHUNK]
            async for chunk in self.chunks(select(*_COLUMNS).where(KeyRow.id.in_(wanted))):
                add_other(chunk)

    def _sql(self, query: Select[*tuple[Any, ...]]) -> str:
        """The query's SQL; its only parameters are constants (the empty JSON texts, the
        plain tail's values), rendered inline."""
        dialect = self._connection.dialect
        return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


@asynccontextmanager
async def _snapshot(connection: AsyncConnection) -> AsyncIterator[_Snapshot]:
    if connection.dialect.name != "sqlite":
        await connection.execution_options(isolation_level="REPEATABLE READ")
        postgres: Any = None
        if connection.dialect.driver == "asyncpg":
            postgres = (await connection.get_raw_connection()).driver_connection
        async with connection.begin():
            yield _Snapshot(connection, postgres=postgres)
        return
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection  # aiosqlite's Connection
    # A scan reads each page once: with the usual page cache (2 MB) it would only fill
    # memory that stays allocated after (the hot path never reads the store).
    async with driver.execute("PRAGMA cache_size") as pragma:
        (cache_size,) = await pragma.fetchone()
    # PRAGMA takes no bound parameters; both values are integers (one ours, one SQLite's).
    scan_pragma = f"PRAGMA cache_size = {int(_SCAN_CACHE_SIZE)}"
    restore_pragma = f"PRAGMA cache_size = {int(cache_size)}"
    await (await driver.execute(scan_pragma)).close()
    # The driver begins no transaction for reads: each statement would read its own state.
    began = not driver.in_transaction
    if began:
        await (await driver.execute("BEGIN")).close()
    try:
        yield _Snapshot(connection, driver)
    finally:
        if began:
            await driver.rollback()  # nothing written: only the read ends
        await (await driver.execute(restore_pragma)).close()


async def read_key_table(store: Store) -> KeyTable:
    """Every key in the store, packed (the start-up load)."""
    async with store.engine.connect() as connection, _snapshot(connection) as snapshot:
        builder = KeyTableBuilder(PLAIN_TAIL, await snapshot.count())
        await snapshot.split_keys(builder.add_plain, builder.add)
    return builder.build()


async def read_key_rows(store: Store) -> list[Any]:
    """Every key in the store as a row of the columns a record needs (see `record_of`)."""
    rows: list[Any] = []
    async with store.engine.connect() as connection, _snapshot(connection) as snapshot:
        async for chunk in snapshot.chunks(_ALL_KEYS):
            rows.extend(chunk)
    return rows


async def read_key_records(store: Store) -> list[KeyRecord]:
    """Every key in the store, as cache records."""
    return [record_of(row) for row in await read_key_rows(store)]
