"""Fill a gateway's store with many virtual keys before it starts, for `lockgate bench --keys N`.

The rows are written with one Core ``INSERT`` per batch (no ORM objects), each holding the
HMAC digest of a fresh ``sk-...`` key under the server secret the gateway will be started
with, exactly as ``/key/generate`` stores them. One of them is the *calling key*: it carries
an rpm limit and a budget, so every benchmark request does the rpm and budget reservation
work of the admission stage. Only a few keys' plain texts are kept (the calling key and a
sample, for tests); the rest exist only as digests, like real keys.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Insert, Table, bindparam, false, func, insert, literal_column

from lockgate.keys.key_hasher import KeyHasher, key_hint, new_key, new_key_id
from lockgate.security.secret import Secret
from lockgate.store import Store
from lockgate.store.access_tables import KeyRow

__all__ = ["CallingKeyLimits", "SeededKeys", "seed_keys"]

_BATCH = 5000
_SAMPLE = 5
_CREATED_BY: Final = "lockgate-bench"


@dataclass(frozen=True, slots=True)
class CallingKeyLimits:
    """The limits of the key the load generator calls with: high enough never to refuse."""

    rpm_limit: int = 10_000_000
    max_budget: float = 1e9


@dataclass(frozen=True, slots=True)
class SeededKeys:
    count: int  # keys written, the calling key included
    calling_key: str  # the plain key the load generator sends
    calling_key_id: str
    limits: CallingKeyLimits
    sample: tuple[str, ...]  # a few other plain keys (no limits), to check they authenticate
    seconds: float  # how long the seeding took


def _calling_row(key_id: str, digest: str, hint: str, limits: CallingKeyLimits) -> KeyRow:
    return KeyRow(
        id=key_id,
        digest=digest,
        key_name=hint,
        key_alias="bench-calling-key",
        rpm_limit=limits.rpm_limit,
        max_budget=limits.max_budget,
        created_by=_CREATED_BY,
    )


def _plain_insert(table: Table) -> Insert:
    """An INSERT whose only parameters are what differs between keys (id, digest, hint):
    the rest are constants in the statement, so nothing is serialised per row (JSON, dates),
    which makes 100,000 rows a matter of seconds rather than tens of them."""
    return insert(table).values(
        id=bindparam("id"),
        digest=bindparam("digest"),
        key_name=bindparam("key_name"),
        aliases=literal_column("'{}'"),
        tags=literal_column("'[]'"),
        model_rpm_limit=literal_column("'{}'"),
        model_tpm_limit=literal_column("'{}'"),
        models=literal_column("'[]'"),
        metadata=literal_column("'{}'"),
        blocked=false(),
        spend=literal_column("0"),
        created_by=literal_column(f"'{_CREATED_BY}'"),
        created_at=func.now(),
        updated_at=func.now(),
    )


def _batches(rows: list[dict[str, str]]) -> Iterator[list[dict[str, str]]]:
    for start in range(0, len(rows), _BATCH):
        yield rows[start : start + _BATCH]


async def seed_keys(
    database_url: str,
    secret: Secret,
    count: int,
    limits: CallingKeyLimits | None = None,
) -> SeededKeys:
    """Migrate the store at `database_url` (an async URL) and add `count` keys to it."""
    if count < 1:
        raise ValueError(f"--keys must be at least 1, got {count}")
    limits = limits or CallingKeyLimits()
    started = time.monotonic()
    digest = KeyHasher(secret).digest
    calling = new_key()
    calling_row = _calling_row(new_key_id(), digest(calling), key_hint(calling), limits)
    plain = [new_key() for _ in range(count - 1)]
    # Ids: 32 hex digits like new_key_id()'s uuid4().hex, without the UUID object per key.
    rows = [
        {"id": secrets.token_hex(16), "digest": digest(key), "key_name": key_hint(key)}
        for key in plain
    ]
    table = KeyRow.__table__
    assert isinstance(table, Table)
    statement = _plain_insert(table)
    store = Store.from_url(database_url)
    try:
        await store.migrate()
        async with store.session() as session, session.begin():
            session.add(calling_row)
        async with store.engine.begin() as connection:
            for batch in _batches(rows):
                await connection.execute(statement, batch)
    finally:
        await store.aclose()
    return SeededKeys(
        count=count,
        calling_key=calling,
        calling_key_id=calling_row.id,
        limits=limits,
        sample=tuple(plain[:: max(1, len(plain) // _SAMPLE)][:_SAMPLE]),
        seconds=time.monotonic() - started,
    )
