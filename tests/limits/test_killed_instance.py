"""An instance killed mid-request (SIGKILL: no settlement, no cleanup) leaves a reservation
in Redis; it holds budget only until its expiry, after which another instance admits."""

from __future__ import annotations

import asyncio
from types import MappingProxyType

import pytest
from redis.asyncio import Redis

from lockgate.errors import BudgetExceededError
from lockgate.gateway.auth import Principal
from lockgate.keys import AccessCache
from lockgate.keys.records import KeyRecord, Limits, ModelAccess
from lockgate.limits import PriceBook, RequestPolicy
from lockgate.limits.price_book import ModelPrice
from lockgate.limits.redis_backend import RedisLimitBackend
from tests.servers import REDIS_URL, redis_prefix

pytestmark = pytest.mark.redis


def _cache() -> AccessCache:
    cache = AccessCache()
    cache.put_key(
        KeyRecord(
            id="k1",
            digest="d" * 64,
            key_alias="killed",
            user_id=None,
            team_id=None,
            organization_id=None,
            models=ModelAccess(),
            aliases=MappingProxyType({}),
            tags=(),
            limits=Limits(max_budget=0.001),
            model_rpm_limit=MappingProxyType({}),
            model_tpm_limit=MappingProxyType({}),
            expires=None,
            blocked=False,
        )
    )
    return cache


async def test_a_dead_instances_reservation_expires() -> None:
    prices = PriceBook({"m": ModelPrice(0.0, 0.00001, 100)})  # worst case: $0.001
    principal = Principal(key_id="k1", is_admin=False, virtual=True)
    body = {"messages": [{"role": "user", "content": "x"}]}
    async with redis_prefix() as prefix:
        doomed_client, survivor_client = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
        try:
            doomed = RequestPolicy(
                _cache(), RedisLimitBackend(doomed_client, prefix), prices, hold_seconds=0.5
            )
            survivor = RequestPolicy(
                _cache(), RedisLimitBackend(survivor_client, prefix), prices, hold_seconds=0.5
            )
            await doomed.admit(principal, "m", "chat", body)  # then the process dies
            await doomed_client.aclose()
            with pytest.raises(BudgetExceededError):
                await survivor.admit(principal, "m", "chat", body)
            await asyncio.sleep(0.6)
            admission = await survivor.admit(principal, "m", "chat", body)
            await survivor.settle(admission, prompt_tokens=1, completion_tokens=1, cost=0.00001)
        finally:
            await survivor_client.aclose()
