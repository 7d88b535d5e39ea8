"""Fixtures: a mock upstream and the real gateway in front of it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anthropic
import openai
import pytest

from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway


@pytest.fixture
async def gateway(mock: MockServer) -> AsyncIterator[RunningGateway]:
    async with running_gateway(config_for_mock(mock.url)) as running:
        yield running


@pytest.fixture
async def oai(gateway: RunningGateway) -> AsyncIterator[openai.AsyncOpenAI]:
    client = openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0)
    yield client
    await client.close()


@pytest.fixture
async def claude(gateway: RunningGateway) -> AsyncIterator[anthropic.AsyncAnthropic]:
    client = anthropic.AsyncAnthropic(base_url=gateway.url, api_key=MASTER_KEY, max_retries=0)
    yield client
    await client.close()
