"""End users and budgets changed on one instance apply on another sharing PostgreSQL and
Redis (pub/sub invalidation), within a second."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import openai
import pytest

from lockgate.mock import MockServer
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.admin.shared_setup import shared_config
from tests.gateway.harness import MASTER_KEY, RunningGateway, running_gateway
from tests.servers import postgres_database, redis_prefix

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def _status(gateway: RunningGateway, user: str) -> int:
    async with openai.AsyncOpenAI(
        base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0
    ) as client:
        try:
            await client.chat.completions.create(
                model="budgeted",
                messages=[{"role": "user", "content": "hi"}],
                max_tokens=50,
                user=user,
            )
        except openai.APIStatusError as error:
            return error.status_code
        return 200


async def _until(gateway: RunningGateway, user: str, status: int) -> float:
    """Seconds until a request for ``user`` answers ``status`` on ``gateway``."""
    start = time.monotonic()
    while time.monotonic() - start < 1.0:
        if await _status(gateway, user) == status:
            return time.monotonic() - start
        await asyncio.sleep(0.02)
    raise AssertionError(f"{user}: never answered {status} on the other instance")


async def test_customer_and_budget_changes_reach_the_other_instance(mock: MockServer) -> None:
    async with postgres_database() as database_url, redis_prefix() as prefix:
        config = shared_config(mock, database_url, prefix)
        async with running_gateway(config) as one, running_gateway(config) as two:
            async with aiohttp.ClientSession() as session:
                admin = AdminClient(session, one.url, MASTER_KEY)
                await admin.ok("/budget/new", {"budget_id": "shared", "max_budget": 1})
                await admin.ok("/customer/new", {"user_id": "carol", "budget_id": "shared"})
                assert await _status(two, "carol") == 200

                await admin.ok("/customer/block", {"user_ids": ["carol"]})
                await _until(two, "carol", 403)
                await admin.ok("/customer/unblock", {"user_ids": ["carol"]})
                await _until(two, "carol", 200)

                # A budget change reaches every end user using it, on every instance.
                await admin.ok("/budget/update", {"budget_id": "shared", "max_budget": 0.0001})
                await _until(two, "carol", 429)
                await admin.ok("/budget/update", {"budget_id": "shared", "max_budget": 1})
                await _until(two, "carol", 200)

                # Moving the end user to another budget, and deleting it.
                await admin.ok("/budget/new", {"budget_id": "tight", "max_budget": 0.0001})
                await admin.ok("/customer/update", {"user_id": "carol", "budget_id": "tight"})
                await _until(two, "carol", 429)
                await admin.ok("/customer/delete", {"user_ids": ["carol"]})
                await _until(two, "carol", 200)  # unknown end users are not limited
