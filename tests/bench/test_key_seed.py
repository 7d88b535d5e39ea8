"""`lockgate bench --keys N` seeding: the keys it writes authenticate through the real gateway
(official openai SDK), the calling key carries its rpm and budget limits, and the same
seeding works on PostgreSQL."""

from __future__ import annotations

import secrets
from pathlib import Path

import openai
import pytest
from sqlalchemy import func, select

from lockgate.bench.key_seed import CallingKeyLimits, seed_keys
from lockgate.keys.access_cache import AccessCache
from lockgate.keys.key_hasher import KeyHasher
from lockgate.keys.loader import AccessLoader
from lockgate.mock import MockServer
from lockgate.security.secret import Secret
from lockgate.store import Store, async_database_url, default_sqlite_url
from lockgate.store.access_tables import KeyRow
from tests.gateway.harness import config_for_mock, running_gateway
from tests.servers import postgres_database


def _salt_config(salt: str) -> str:
    return f"lockgate_settings:\n  salt_key: {salt}\n"


async def _chat(base: str, key: str) -> openai.types.chat.ChatCompletion:
    async with openai.AsyncOpenAI(base_url=base, api_key=key, max_retries=0) as client:
        return await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )


async def test_seeded_keys_authenticate_through_the_gateway(
    mock: MockServer, tmp_path: Path
) -> None:
    salt = secrets.token_urlsafe(32)
    seeded = await seed_keys(default_sqlite_url(tmp_path), Secret(salt), 500)
    assert seeded.count == 500 and len(seeded.sample) == 5
    assert len({seeded.calling_key, *seeded.sample}) == 6
    config = config_for_mock(mock.url, _salt_config(salt))
    async with running_gateway(config, data_dir=tmp_path) as gateway:
        plane = gateway.app.state.control
        assert plane is not None and len(plane.cache) == 500
        async with openai.AsyncOpenAI(
            base_url=gateway.openai_base, api_key=seeded.calling_key, max_retries=0
        ) as client:
            raw = await client.chat.completions.with_raw_response.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
            )
        # The calling key's rpm limit is applied to the request.
        assert raw.headers["x-ratelimit-limit-requests"] == "10000000"
        assert raw.parse().choices[0].message.content
        for key in seeded.sample:
            reply = await _chat(gateway.openai_base, key)
            assert reply.choices[0].message.content
        with pytest.raises(openai.AuthenticationError):
            await _chat(gateway.openai_base, "sk-" + secrets.token_urlsafe(32))
        record = plane.cache.key(seeded.calling_key_id)
        assert record is not None
        assert record.limits.rpm_limit == 10_000_000 and record.limits.max_budget == 1e9


async def test_a_seeded_key_with_a_low_rpm_limit_is_refused(
    mock: MockServer, tmp_path: Path
) -> None:
    """The limits on the calling key are enforced, not just stored."""
    salt = secrets.token_urlsafe(32)
    limits = CallingKeyLimits(rpm_limit=2, max_budget=1e9)
    seeded = await seed_keys(default_sqlite_url(tmp_path), Secret(salt), 10, limits)
    config = config_for_mock(mock.url, _salt_config(salt))
    async with running_gateway(config, data_dir=tmp_path) as gateway:
        await _chat(gateway.openai_base, seeded.calling_key)
        await _chat(gateway.openai_base, seeded.calling_key)
        with pytest.raises(openai.RateLimitError):
            await _chat(gateway.openai_base, seeded.calling_key)
        # Another seeded key has no limit.
        await _chat(gateway.openai_base, seeded.sample[0])


async def test_seeding_postgresql_and_loading_it_back() -> None:
    salt = Secret(secrets.token_urlsafe(32))
    async with postgres_database() as url:
        seeded = await seed_keys(async_database_url(url), salt, 2000)
        store = Store.from_url(async_database_url(url))
        try:
            async with store.session() as session:
                assert await session.scalar(select(func.count()).select_from(KeyRow)) == 2000
            # The rows read back through the ORM like any key /key/generate stored.
            plain = (await store.find(KeyRow, KeyRow.id != seeded.calling_key_id, limit=1))[0]
            assert (plain.models, plain.metadata_, plain.aliases, plain.tags) == ([], {}, {}, [])
            assert plain.blocked is False and plain.spend == 0.0
            assert plain.created_at.tzinfo is not None and plain.key_name.startswith("sk-...")
            cache = AccessCache()
            await AccessLoader(store, cache).load_all()
        finally:
            await store.aclose()
    assert len(cache) == 2000
    hasher = KeyHasher(salt)
    found = cache.key_by_digest(hasher.digest(seeded.calling_key))
    assert found is not None and found.record.id == seeded.calling_key_id
    assert found.record.limits.rpm_limit == 10_000_000
    assert found.record.key_alias == "bench-calling-key"
    for key in seeded.sample:
        sample = cache.key_by_digest(hasher.digest(key))
        assert sample is not None and not sample.record.limits.any


async def test_seeding_refuses_no_keys(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await seed_keys(default_sqlite_url(tmp_path), Secret("s" * 32), 0)
