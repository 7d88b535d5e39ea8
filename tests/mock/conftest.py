"""Fixtures: a mock server per test, and official SDK clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import anthropic
import openai
import pytest

from lockgate.mock import MockServer


@pytest.fixture
async def mock() -> AsyncIterator[MockServer]:
    async with MockServer() as server:
        yield server


@pytest.fixture
async def oai(mock: MockServer) -> AsyncIterator[openai.AsyncOpenAI]:
    client = openai.AsyncOpenAI(base_url=mock.openai_base_url, api_key="sk-test", max_retries=0)
    async with client:
        yield client


@pytest.fixture
async def claude(mock: MockServer) -> AsyncIterator[anthropic.AsyncAnthropic]:
    client = anthropic.AsyncAnthropic(base_url=mock.url, api_key="sk-ant-test", max_retries=0)
    async with client:
        yield client


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
