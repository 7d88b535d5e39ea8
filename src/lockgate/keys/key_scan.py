"""Read every key into cache records quickly: the start-up load with many keys.

The ORM path (``select(KeyRow)`` then ``KeyRecord.of``) builds a full ORM object per row,
decodes six JSON columns and parses three timestamps per row: about 50 µs a key, 5 s for
100,000 keys. Here one Core ``SELECT`` fetches only the columns a record needs, the JSON
columns arrive as text, the usual empty values (``[]``, ``{}``, ``null``) as NULL (shared
immutable empties in the record, nothing parsed); the rest is parsed with orjson. On SQLite
the rows come straight from the driver as tuples. The cache keeps these rows, packed
(`KeyTable`), and builds a key's record when the key is first looked up (`AccessCache`).

The records are equal to ``KeyRecord.of(row)`` for the same row (a test holds both to it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

import orjson
from sqlalchemy import Text, case, cast, func, null, select
from sqlalchemy.ext.asyncio import AsyncConnection

from lockgate.keys.key_table import KeyTable, KeyTableBuilder
from lockgate.keys.records import KeyRecord, Limits, ModelAccess
from lockgate.store import Store
from lockgate.store.access_tables import KeyRow

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
# JSON texts meaning "nothing here" (SQLite stores ``None`` as ``null``).
_EMPTY_JSON: Final = ("[]", "{}", "null")
_EMPTY_TEXTS: Final = frozenset({"", *_EMPTY_JSON})


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
    return case((text.in_(_EMPTY_JSON), null()), else_=text)


_COLUMNS: Final = (
    KeyRow.id,
    KeyRow.digest,
    KeyRow.key_alias,
    KeyRow.user_id,
    KeyRow.team_id,
    KeyRow.organization_id,
    _as_text(KeyRow.models),
    _as_text(KeyRow.aliases),
    _as_text(KeyRow.tags),
    KeyRow.max_budget,
    KeyRow.soft_budget,
    KeyRow.budget_duration,
    KeyRow.tpm_limit,
    KeyRow.rpm_limit,
    KeyRow.max_parallel_requests,
    _as_text(KeyRow.model_rpm_limit),
    _as_text(KeyRow.model_tpm_limit),
    KeyRow.expires,
    KeyRow.blocked,
    _as_text(KeyRow.metadata_),
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
# The tail (every column after id and digest) of a key with nothing set (most keys): no
# alias, owner, models, limits, expiry or metadata, not blocked. Blocked reads 0 on SQLite,
# False on PostgreSQL; both equal False.
PLAIN_TAIL: Final = (None,) * 16 + (False, None)

_CHUNK = 1000
_SCAN_CACHE_SIZE = -64  # KiB


async def _row_chunks(connection: AsyncConnection) -> AsyncIterator[Sequence[Any]]:
    """The key rows, a thousand at a time: the whole result never sits in memory at once
    (100,000 full rows would cost about 50 MB of RSS, kept after they are freed)."""
    query = select(*_COLUMNS)
    if connection.dialect.name != "sqlite":
        result = await connection.stream(query)
        async for partition in result.partitions(_CHUNK):
            yield partition
        return
    # SQLite: straight from the driver (plain tuples); SQLAlchemy's rows and result
    # processing would double the time of the fetch. The query's only parameters are the
    # constant empty JSON texts, rendered inline.
    raw = await connection.get_raw_connection()
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    driver: Any = raw.driver_connection  # aiosqlite's Connection
    # A scan reads each page once: with the usual page cache (2 MB) it would only fill
    # memory that stays allocated after (the hot path never reads the store).
    async with driver.execute("PRAGMA cache_size") as pragma:
        (cache_size,) = await pragma.fetchone()
    # PRAGMA takes no bound parameters; both values are integers (one ours, one SQLite's).
    scan_pragma = f"PRAGMA cache_size = {int(_SCAN_CACHE_SIZE)}"
    restore_pragma = f"PRAGMA cache_size = {int(cache_size)}"
    await (await driver.execute(scan_pragma)).close()
    try:
        async with driver.execute(str(compiled)) as cursor:
            while chunk := await cursor.fetchmany(_CHUNK):
                yield chunk
    finally:
        await (await driver.execute(restore_pragma)).close()


async def read_key_table(store: Store) -> KeyTable:
    """Every key in the store, packed (the start-up load)."""
    async with store.engine.connect() as connection:
        expected = await connection.scalar(select(func.count()).select_from(KeyRow))
        builder = KeyTableBuilder(PLAIN_TAIL, expected or 0)
        async for chunk in _row_chunks(connection):
            builder.add(chunk)
    return builder.build()


async def read_key_rows(store: Store) -> list[Any]:
    """Every key in the store as a row of the columns a record needs (see `record_of`)."""
    rows: list[Any] = []
    async with store.engine.connect() as connection:
        async for chunk in _row_chunks(connection):
            rows.extend(chunk)
    return rows


async def read_key_records(store: Store) -> list[KeyRecord]:
    """Every key in the store, as cache records."""
    return [record_of(row) for row in await read_key_rows(store)]
