"""Read every key into cache records quickly: the start-up load with many keys.

The ORM path (``select(KeyRow)`` then ``KeyRecord.of``) builds a full ORM object per row,
decodes six JSON columns and parses three timestamps per row: about 50 µs a key, 5 s for
100,000 keys. Here one Core ``SELECT`` fetches only the columns a record needs, the JSON
columns arrive as text (``type_coerce``, no SQL change) and the usual empty values (``[]``,
``{}``, ``null``) become shared immutable empties without being parsed; the rest is parsed
with orjson. Only ``expires`` goes through its column type, and it is NULL for most keys.

The records are equal to ``KeyRecord.of(row)`` for the same row (a test holds both to it).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import orjson
from sqlalchemy import String, select, type_coerce

from lockgate.keys.records import KeyRecord, Limits, ModelAccess
from lockgate.store import Store
from lockgate.store.access_tables import KeyRow

__all__ = ["read_key_records"]

_EMPTY_MAP: Final[MappingProxyType[str, Any]] = MappingProxyType({})
_NO_LIMITS: Final = Limits()
_ALL_MODELS: Final = ModelAccess()
# JSON texts meaning "nothing here" (SQLite stores ``None`` as ``null``).
_EMPTY_TEXTS: Final = frozenset({None, "", "[]", "{}", "null"})


def _json(value: Any) -> Any:
    """Text from SQLite (or asyncpg with a cast), or a value a driver already decoded."""
    if value in _EMPTY_TEXTS:
        return None
    if isinstance(value, str | bytes):
        return orjson.loads(value)
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


def _as_text(column: Any) -> Any:
    return type_coerce(column, String)


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


def _record(row: Any) -> KeyRecord:
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
        limits=_limits(max_budget, soft_budget, budget_duration, tpm_limit, rpm_limit, max_parallel),
        model_rpm_limit=_map(model_rpm),
        model_tpm_limit=_map(model_tpm),
        expires=expires.timestamp() if expires is not None else None,
        blocked=bool(blocked),
        metadata=_map(metadata),
    )


async def read_key_records(store: Store) -> list[KeyRecord]:
    """Every key in the store, as cache records."""
    async with store.engine.connect() as connection:
        result = await connection.execute(select(*_COLUMNS))
        return [_record(row) for row in result.all()]
