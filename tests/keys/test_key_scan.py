"""The start-up key load: the lean query builds the same records as the ORM path (SQLite and
PostgreSQL), keys are built on first lookup with the same semantics as eagerly built ones
(whether their ids are uuid hex, packed, or anything else, kept as rows), and 100,000 keys
load within a bound."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lockgate.bench.key_seed import seed_keys
from lockgate.errors import AuthenticationError
from lockgate.keys import key_scan
from lockgate.keys.access_cache import AccessCache
from lockgate.keys.authenticator import VirtualKeyAuthenticator
from lockgate.keys.key_hasher import KeyHasher
from lockgate.keys.key_scan import read_key_records, read_key_rows, read_key_table, record_of
from lockgate.keys.loader import AccessLoader
from lockgate.keys.records import KeyRecord
from lockgate.security.secret import Secret
from lockgate.store import Store, async_database_url, default_sqlite_url
from lockgate.store.access_tables import KeyRow, TeamRow, UserRow
from tests.servers import postgres_database

HASHER = KeyHasher(Secret("k" * 40))
# Key ids as lockgate makes them (uuid4 hex: packed until used), or as a store might hold.
HEX_IDS = {name: uuid.uuid5(uuid.NAMESPACE_DNS, name).hex for name in ("plain", "full", "all")}
NAMED_IDS = {"plain": "plain", "full": "full", "all": "all-models"}


@pytest.fixture(params=[HEX_IDS, NAMED_IDS], ids=["uuid-ids", "named-ids"])
def ids(request: pytest.FixtureRequest) -> dict[str, str]:
    return request.param  # type: ignore[no-any-return]


def _rows(ids: dict[str, str] = NAMED_IDS) -> list[KeyRow]:
    later = datetime.now(UTC) + timedelta(days=3)
    return [
        KeyRow(id=ids["plain"], digest=HASHER.digest("sk-plain"), key_name="sk-...lain"),
        KeyRow(
            id=ids["full"],
            digest=HASHER.digest("sk-full"),
            key_name="sk-...full",
            key_alias="full-alias",
            user_id="u1",
            team_id="t1",
            organization_id="o1",
            models=["gpt-4o", "claude-*", 7],
            aliases={"fast": "gpt-4o-mini"},
            tags=["a", 3, "b"],
            model_rpm_limit={"gpt-4o": 5},
            model_tpm_limit={"gpt-4o": 500},
            expires=later,
            blocked=True,
            max_budget=2.5,
            soft_budget=1.0,
            budget_duration="30d",
            tpm_limit=1000,
            rpm_limit=10,
            max_parallel_requests=3,
            metadata_={"owner": {"name": "x"}, "n": [1, 2]},
        ),
        KeyRow(
            id=ids["all"],
            digest=HASHER.digest("sk-all"),
            key_name="sk-...all",
            models=["all-proxy-models"],
            rpm_limit=0,
        ),
    ]


@asynccontextmanager
async def _store(url: str, ids: dict[str, str] = NAMED_IDS) -> AsyncIterator[Store]:
    store = Store.from_url(url)
    try:
        await store.migrate()
        async with store.session() as session, session.begin():
            session.add_all(_rows(ids))
        yield store
    finally:
        await store.aclose()


async def _same_records(store: Store) -> None:
    orm = {row.id: KeyRecord.of(row) for row in await store.find(KeyRow)}
    lean = {record.id: record for record in await read_key_records(store)}
    assert lean == orm
    assert lean["full"].expires is not None and lean["full"].expires > time.time()
    assert lean["full"].tags == ("a", "b") and not lean["full"].models.allows("gpt-4o-mini")
    assert lean["full"].models.allows("claude-3") and lean["all-models"].models.unrestricted


async def test_lean_records_equal_the_orm_ones_on_sqlite(tmp_path: Path) -> None:
    async with _store(default_sqlite_url(tmp_path)) as store:
        await _same_records(store)


async def test_lean_records_equal_the_orm_ones_on_postgresql() -> None:
    async with postgres_database() as url, _store(async_database_url(url)) as store:
        await _same_records(store)


async def _loaded(store: Store) -> AccessCache:
    async with store.session() as session, session.begin():
        session.add(UserRow(id="u1", role="proxy_admin"))
        session.add(TeamRow(id="t1"))
    cache = AccessCache()
    await AccessLoader(store, cache).load_all()
    return cache


async def test_keys_are_built_on_first_lookup_with_current_users(
    tmp_path: Path, ids: dict[str, str]
) -> None:
    async with _store(default_sqlite_url(tmp_path), ids) as store:
        cache = await _loaded(store)
        rows = {row.id: row for row in await store.find(KeyRow)}
    assert len(cache) == 3
    auth = VirtualKeyAuthenticator(HASHER, cache)
    assert auth.authenticate("sk-unknown") is None
    with pytest.raises(AuthenticationError, match="blocked"):
        auth.authenticate("sk-full")
    principal = auth.authenticate("sk-plain")
    assert principal is not None and principal.key_id == ids["plain"] and not principal.is_admin
    assert auth.authenticate("sk-plain") == principal  # built once, then from memory
    # A user changed before its key was first used: the key takes the new role when built.
    cache.put_user(
        cache.users["u1"].__class__(
            "u1", "internal_user", None, cache.users["u1"].models, cache.users["u1"].limits
        )
    )
    full = cache.key(ids["full"])
    assert full == KeyRecord.of(rows[ids["full"]])
    # A key with nothing set is kept as its id and digest alone until used: same record.
    assert cache.key(ids["plain"]) == KeyRecord.of(rows[ids["plain"]])
    assert cache.key(ids["all"]) == KeyRecord.of(rows[ids["all"]])
    built = cache.key_by_digest(HASHER.digest("sk-full"))
    assert built is not None and built.principal.role == "internal_user"
    assert built.principal.organization_id == "o1"
    assert len(cache) == 3
    # Built keys follow their user's changes too.
    cache.drop_user("u1")
    built = cache.key_by_digest(HASHER.digest("sk-full"))
    assert built is not None and built.principal.role == ""


async def test_changes_replace_and_drop_keys_not_built_yet(
    tmp_path: Path, ids: dict[str, str]
) -> None:
    async with _store(default_sqlite_url(tmp_path), ids) as store:
        cache = await _loaded(store)
        rows = {row.id: row for row in await store.find(KeyRow)}
    # Regenerated (same id, new digest) before first use: the old digest is gone.
    plain = KeyRecord.of(rows[ids["plain"]])
    regenerated = plain.__class__(
        **{
            **{f: getattr(plain, f) for f in KeyRecord.__slots__},
            "digest": HASHER.digest("sk-new"),
        }
    )
    cache.put_key(regenerated)
    assert cache.key_by_digest(HASHER.digest("sk-plain")) is None
    assert cache.key_by_digest(HASHER.digest("sk-new")) is not None
    cache.drop_key(ids["all"])
    assert cache.key(ids["all"]) is None
    assert cache.key_by_digest(HASHER.digest("sk-all")) is None
    assert len(cache) == 2
    cache.drop_key(ids["all"])  # again, or a key never seen: nothing happens
    cache.drop_key(uuid.uuid4().hex)
    assert len(cache) == 2
    # A user's role change reaches its keys built later, and dropping the user too.
    cache.drop_user("u1")
    built = cache.key_by_digest(HASHER.digest("sk-full"))
    assert built is not None and built.principal.role == "" and not built.principal.is_admin


async def test_only_keys_with_a_budget_are_built_for_budget_seeding(
    tmp_path: Path, ids: dict[str, str]
) -> None:
    async with _store(default_sqlite_url(tmp_path), ids) as store:
        cache = await _loaded(store)
    assert [k.id for k in cache.keys_with_budget()] == [ids["full"]]
    every = cache.keys()
    assert sorted(k.id for k in every) == sorted(ids.values())
    full = cache.key_by_digest(HASHER.digest("sk-full"))
    assert full is not None and full.principal.is_admin  # u1 is a proxy admin
    assert len(cache) == 3


async def test_a_refresh_reaches_keys_not_built_yet(tmp_path: Path, ids: dict[str, str]) -> None:
    """What an invalidation message does (`Invalidator` calls `AccessLoader.refresh`)."""
    async with _store(default_sqlite_url(tmp_path), ids) as store:
        cache = AccessCache()
        loader = AccessLoader(store, cache)
        await loader.load_all()
        async with store.session() as session, session.begin():
            plain = await session.get(KeyRow, ids["plain"])
            assert plain is not None
            plain.blocked = True
            all_models = await session.get(KeyRow, ids["all"])
            await session.delete(all_models)
        await loader.refresh("key", ids["plain"])
        await loader.refresh("key", ids["all"])
    auth = VirtualKeyAuthenticator(HASHER, cache)
    with pytest.raises(AuthenticationError, match="blocked"):
        auth.authenticate("sk-plain")
    assert auth.authenticate("sk-all") is None and cache.key(ids["all"]) is None
    assert len(cache) == 2


async def test_keys_load_packed_from_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    through_sqlalchemy: list[Any] = []
    chunks = key_scan._Snapshot.chunks

    def noted(snapshot: Any, query: Any) -> AsyncIterator[Any]:
        through_sqlalchemy.append(query)
        return chunks(snapshot, query)

    monkeypatch.setattr(key_scan._Snapshot, "chunks", noted)
    async with postgres_database() as url, _store(async_database_url(url), HEX_IDS) as store:
        cache = await _loaded(store)
        rows = {row.id: row for row in await store.find(KeyRow)}
    # One COPY from asyncpg says which keys are plain and brings their ids and digests; only
    # the others' full rows come through SQLAlchemy, asked for by id.
    assert len(through_sqlalchemy) == 1
    assert "WHERE lockgate_keys.id IN" in str(through_sqlalchemy[0])
    assert len(cache) == 3
    for name in HEX_IDS:
        assert cache.key(HEX_IDS[name]) == KeyRecord.of(rows[HEX_IDS[name]])
    assert VirtualKeyAuthenticator(HASHER, cache).authenticate("sk-plain") is not None


async def test_100k_keys_load_within_two_seconds(tmp_path: Path) -> None:
    secret = Secret("s" * 40)
    seeded = await seed_keys(default_sqlite_url(tmp_path), secret, 100_000)
    store = Store.from_url(default_sqlite_url(tmp_path))
    try:
        cache = AccessCache()
        started = time.monotonic()
        await AccessLoader(store, cache).load_all()
        elapsed = time.monotonic() - started
        assert len(await read_key_rows(store)) == 100_000
    finally:
        await store.aclose()
    assert len(cache) == 100_000
    # About 0.4 s on an idle 2-core machine; the bound leaves room for a busy one.
    assert elapsed < 2.0, f"loading 100,000 keys took {elapsed:.2f}s"
    auth = VirtualKeyAuthenticator(KeyHasher(secret), cache)
    principal = auth.authenticate(seeded.calling_key)
    assert principal is not None and principal.key_id == seeded.calling_key_id
    assert all(auth.authenticate(key) is not None for key in seeded.sample)


# One key for each column of a row after the digest, set alone (each makes a key not plain),
# and keys whose JSON columns hold the empty values (plain: read as id and digest alone).
_ONE_SET: dict[str, Any] = {
    "key_alias": "an-alias",
    "user_id": "u9",
    "team_id": "t9",
    "organization_id": "o9",
    "models": ["gpt-4o"],
    "aliases": {"a": "b"},
    "tags": ["x"],
    "max_budget": 0.0,
    "soft_budget": 1.5,
    "budget_duration": "1d",
    "tpm_limit": 0,
    "rpm_limit": 7,
    "max_parallel_requests": 2,
    "model_rpm_limit": {"m": 1},
    "model_tpm_limit": {"m": 2},
    "expires": datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    "blocked": True,
    "metadata_": {"k": None},
}
_EMPTY_SET: list[dict[str, Any]] = [
    {},
    {"models": [], "aliases": {}, "tags": [], "metadata_": {}},
    {"model_rpm_limit": None, "model_tpm_limit": None, "metadata_": None, "blocked": False},
]


def _one_set_rows() -> list[KeyRow]:
    settings = [{name: value} for name, value in _ONE_SET.items()] + _EMPTY_SET
    return [
        KeyRow(
            id=uuid.uuid5(uuid.NAMESPACE_DNS, f"one-{n}").hex,
            digest=HASHER.digest(f"sk-one-{n}"),
            key_name="sk-...one",
            **setting,
        )
        for n, setting in enumerate(settings)
    ]


async def _table_rows_equal_full_rows(store: Store) -> None:
    async with store.session() as session, session.begin():
        session.add_all(_one_set_rows())
    orm = {row.id: KeyRecord.of(row) for row in await store.find(KeyRow)}
    full = {row[0]: tuple(row) for row in await read_key_rows(store)}
    table = await read_key_table(store)
    assert len(table) == len(full) == len(orm) == 3 + len(_ONE_SET) + len(_EMPTY_SET)
    for ident, row in full.items():
        taken = table.take_id(ident)
        assert taken == row  # blocked: 0 (SQLite) or False in the row, False in the plain tail
        assert taken is not None and record_of(taken) == record_of(row) == orm[ident]
    assert len(table) == 0


async def test_plain_and_full_keys_read_back_as_their_full_rows_on_sqlite(
    tmp_path: Path, ids: dict[str, str]
) -> None:
    async with _store(default_sqlite_url(tmp_path), ids) as store:
        await _table_rows_equal_full_rows(store)


async def test_plain_and_full_keys_read_back_as_their_full_rows_on_postgresql(
    ids: dict[str, str],
) -> None:
    async with postgres_database() as url, _store(async_database_url(url), ids) as store:
        await _table_rows_equal_full_rows(store)


async def _one_snapshot(store: Store, other: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain keys and the others are two queries: a key changed between them (by another
    connection) is read as it was before, once."""
    full_digest, plain_digest = HASHER.digest("sk-full"), HASHER.digest("sk-plain")
    before = {row.digest: KeyRecord.of(row) for row in await store.find(KeyRow)}
    chunks = key_scan._Snapshot.chunks
    changed: list[bool] = []

    async def changing(snapshot: Any, query: Any) -> AsyncIterator[Any]:
        # Once the plain keys are read (the other keys' query is next): the full key made
        # plain, the plain one not.
        if query is not key_scan._PLAIN_KEYS and not changed:
            changed.append(True)
            await change()
        async for chunk in chunks(snapshot, query):
            yield chunk

    async def change() -> None:
        async with other.session() as session, session.begin():
            for row in await session.scalars(select(KeyRow)):
                if row.digest == full_digest:
                    for name in _ONE_SET:
                        setattr(row, name, False if name == "blocked" else None)
                    row.models, row.aliases, row.tags = [], {}, []
                    row.model_rpm_limit, row.model_tpm_limit, row.metadata_ = {}, {}, {}
                elif row.digest == plain_digest:
                    row.blocked = True

    monkeypatch.setattr(key_scan._Snapshot, "chunks", changing)
    table = await read_key_table(store)
    monkeypatch.undo()
    assert changed
    after = {row.digest: KeyRecord.of(row) for row in await store.find(KeyRow)}
    assert not after[full_digest].blocked and after[plain_digest].blocked  # it did change
    assert len(table) == 3
    for digest, record in before.items():
        taken = table.take_digest(digest)
        assert taken is not None and record_of(taken) == record
    assert len(table) == 0


async def test_the_two_queries_read_one_snapshot_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = default_sqlite_url(tmp_path)
    async with _store(url) as store:
        other = Store.from_url(url)
        try:
            await _one_snapshot(store, other, monkeypatch)
        finally:
            await other.aclose()


async def test_the_two_queries_read_one_snapshot_on_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with postgres_database() as url, _store(async_database_url(url)) as store:
        other = Store.from_url(async_database_url(url))
        try:
            await _one_snapshot(store, other, monkeypatch)
        finally:
            await other.aclose()


async def test_the_other_keys_are_found_through_their_index_on_sqlite(tmp_path: Path) -> None:
    """SQLite uses the migration's partial index only while the start-up query's predicate
    is the index's, term for term: a change to either one falls back to testing every row
    (correct, but 0.12 s slower with 100,000 keys)."""
    async with _store(default_sqlite_url(tmp_path)) as store:
        await _table_rows_equal_full_rows(store)  # the index finds every kind of other key
        async with store.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            sql = str(
                key_scan._OTHER_KEYS.compile(
                    dialect=connection.dialect, compile_kwargs={"literal_binds": True}
                )
            )
            async with raw.driver_connection.execute(f"EXPLAIN QUERY PLAN {sql}") as cursor:
                plan = [row[-1] for row in await cursor.fetchall()]
    assert plan == ["SCAN lockgate_keys USING INDEX ix_lockgate_keys_other"]
