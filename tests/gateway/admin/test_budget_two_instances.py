"""The issue's acceptance test: 200 concurrent requests against a key with a small budget,
spread over two gateway instances sharing PostgreSQL and Redis. Spend ends within the
budget, every refused request is a clean 429, and no spend row is lost at shutdown."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from lockgate.mock import MockServer
from lockgate.store import Store, async_database_url
from lockgate.store.access_tables import KeyRow
from lockgate.store.spend_tables import SpendLogRow
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.admin.shared_setup import shared_config
from tests.gateway.harness import MASTER_KEY, running_gateway
from tests.servers import postgres_database, redis_prefix

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

BUDGET = 0.01


async def _wait_until_known(session: aiohttp.ClientSession, url: str, key: str) -> None:
    """The key was made on the other instance: it arrives through Redis pub/sub."""
    for _ in range(100):
        async with session.get(url + "/v1/models", headers={"Authorization": f"Bearer {key}"}) as r:
            if r.status == 200:
                return
        await asyncio.sleep(0.02)
    raise AssertionError("the key never reached the second instance")


async def _call(
    session: aiohttp.ClientSession, url: str, key: str, i: int
) -> tuple[int, Any, dict[str, str]]:
    body = {
        "model": "budgeted",
        "messages": [{"role": "user", "content": f"request number {i}"}],
        "max_tokens": 50,
    }
    async with session.post(
        url + "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}
    ) as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
        return response.status, await response.json(content_type=None), headers


async def test_two_instances_never_exceed_a_shared_budget(mock: MockServer) -> None:
    async with postgres_database() as database_url, redis_prefix() as prefix:
        config = shared_config(mock, database_url, prefix)
        async with running_gateway(config) as one, running_gateway(config) as two:
            connector = aiohttp.TCPConnector(limit=400)
            async with aiohttp.ClientSession(connector=connector) as session:
                admin = AdminClient(session, one.url, MASTER_KEY)
                made = await admin.ok(
                    "/key/generate", {"max_budget": BUDGET, "key_alias": "small-budget"}
                )
                key = made["key"]
                await _wait_until_known(session, two.url, key)
                # 200 requests in 4 waves of 50 concurrent ones (each wave alternating
                # instances): later waves find the earlier ones settled.
                results = []
                for wave in range(4):
                    results += await asyncio.gather(
                        *(
                            _call(session, (one, two)[i % 2].url, key, i)
                            for i in range(wave * 50, wave * 50 + 50)
                        )
                    )
        # Both instances have shut down: every spend row is written.
        statuses = [status for status, _, _ in results]
        assert set(statuses) <= {200, 429}, [r for r in results if r[0] not in (200, 429)][:2]
        served, refused = statuses.count(200), statuses.count(429)
        assert served >= 10 and refused >= 100, (served, refused)
        for status, body, headers in results:
            if status == 429:
                assert body["error"]["type"] == "budget_exceeded"
                assert "small-budget" in body["error"]["message"]
                assert int(headers["retry-after"]) >= 1
        store = Store.from_url(async_database_url(database_url))
        try:
            async with store.session() as db:
                logged = await db.scalar(select(func.count()).select_from(SpendLogRow))
                total = await db.scalar(select(func.sum(SpendLogRow.spend)))
                key_row = (await db.scalars(select(KeyRow))).one()
        finally:
            await store.aclose()
        assert logged == served  # no spend row lost at shutdown
        assert 0 < total <= BUDGET
        assert key_row.spend == pytest.approx(total)
        # The budget is genuinely used up: the last refusals came when one more worst case
        # (~$0.00054) no longer fitted.
        assert total > BUDGET - 0.0011, (total, served)
