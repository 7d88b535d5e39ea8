"""Fixtures: the gateway with its store on SQLite (a temporary folder) and an admin client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from lockgate.mock import MockServer
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway


@pytest.fixture
async def gateway(mock: MockServer) -> AsyncIterator[RunningGateway]:
    config = config_for_mock(mock.url, models=("gpt-4o-mini", "gpt-4o"))
    async with running_gateway(config) as running:
        yield running


@pytest.fixture
async def admin(gateway: RunningGateway) -> AsyncIterator[AdminClient]:
    async with aiohttp.ClientSession() as session:
        yield AdminClient(session, gateway.url, MASTER_KEY)
