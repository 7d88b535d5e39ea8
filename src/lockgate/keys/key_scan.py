"""Read every key into cache records quickly: the start-up load with many keys.

The ORM path (``select(KeyRow)`` then ``KeyRecord.of``) builds a full ORM object per row,
decodes six JSON columns and parses three timestamps per row: about 50 µs a key, 5 s for
100,000 keys. Here one Core ``SELECT`` fetches only the columns a record needs, the JSON
columns arrive as text, the usual empty values (``[]``, ``{}``, ``null``) as NULL (shared
immutable empties in the record, nothing parsed); the rest is parsed with orjson. On SQLite
the rows come straight from the driver as tuples. The cache keeps these rows and builds a
key's record when the key is first looked up (`AccessCache`).

The records are equal to ``KeyRecord.of(row)`` for the same row (a test holds both to it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

import orjson
from sqlalchemy import Text, case, cast, null, select

from lockgate.keys.records import KeyRecord, Limits, ModelAccess
from lockgate.store import Store
from lockgate.store.access_tables import KeyRow

__all__ = [
    "DIGEST",
    "ID",
    "MAX_BUDGET",
    "USER_ID",
    "KeyIndex",
    "compact",
    "expand",
    "has_budget",
    "read_key_index",
    "read_key_records",
    "read_key_rows",
    "record_of",
    "user_of",
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


# Positions in a key row, for the cache's indexes (built before any record is).
ID: Final = 0
DIGEST: Final = 1
USER_ID: Final = 3
MAX_BUDGET: Final = 9


# The row of a key with nothing set beyond its id and digest (most keys): no alias, owner,
# models, limits, expiry or metadata, not blocked. Blocked reads 0 on SQLite, False on
# PostgreSQL; both equal False.
_PLAIN_TAIL: Final = (None,) * 16 + (False, None)


def compact(row: Any) -> Any:
    """What the cache keeps of a row until the key is used: only the id for a plain key
    (about 250 bytes less a key: 25 MB for 100,000), else the row as a tuple."""
    return row[ID] if tuple(row[2:]) == _PLAIN_TAIL else tuple(row)


def expand(digest: str, kept: Any) -> tuple[Any, ...]:
    """The row `compact` kept, back (`digest` is the key it was kept under)."""
    return (kept, digest, *_PLAIN_TAIL) if isinstance(kept, str) else kept


def user_of(kept: Any) -> str | None:
    return None if isinstance(kept, str) else kept[USER_ID]


def has_budget(kept: Any) -> bool:
    return not isinstance(kept, str) and kept[MAX_BUDGET] is not None


@dataclass(slots=True)
class KeyIndex:
    """Every key of the store as the cache holds it until the key is first used."""

    kept: dict[str, Any] = field(default_factory=dict)  # digest -> `compact(row)`
    digests: dict[str, str] = field(default_factory=dict)  # key id -> digest
    of_user: dict[str, set[str]] = field(default_factory=dict)  # user id -> key ids

    def add(self, rows: Iterable[Any]) -> None:
        kept, digests, of_user = self.kept, self.digests, self.of_user
        for row in rows:
            ident, digest, user = row[ID], row[DIGEST], row[USER_ID]
            kept[digest] = compact(row)
            digests[ident] = digest
            if user:
                of_user.setdefault(user, set()).add(ident)


_CHUNK = 5000


async def _row_chunks(store: Store) -> AsyncIterator[Sequence[Any]]:
    """The key rows, a few thousand at a time: the whole result never sits in memory at
    once (100,000 full rows would cost about 50 MB of RSS, kept after they are freed)."""
    query = select(*_COLUMNS)
    async with store.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            result = await connection.stream(query)
            async for partition in result.partitions(_CHUNK):
                yield partition
            return
        # SQLite: straight from the driver (plain tuples); SQLAlchemy's rows and result
        # processing would double the time of the fetch. The query's only parameters are
        # the constant empty JSON texts, rendered inline.
        raw = await connection.get_raw_connection()
        compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        driver: Any = raw.driver_connection  # aiosqlite's Connection
        cursor = await driver.execute(str(compiled))
        try:
            while chunk := await cursor.fetchmany(_CHUNK):
                yield chunk
        finally:
            await cursor.close()


async def read_key_index(store: Store) -> KeyIndex:
    """Every key in the store, compact (the start-up load)."""
    index = KeyIndex()
    async for chunk in _row_chunks(store):
        index.add(chunk)
    return index


async def read_key_rows(store: Store) -> list[Any]:
    """Every key in the store as a row of the columns a record needs (see `record_of`)."""
    rows: list[Any] = []
    async for chunk in _row_chunks(store):
        rows.extend(chunk)
    return rows


async def read_key_records(store: Store) -> list[KeyRecord]:
    """Every key in the store, as cache records."""
    return [record_of(row) for row in await read_key_rows(store)]
