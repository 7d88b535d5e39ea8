"""Shared fixtures: mock upstreams and an SDK client whose sessions are closed per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from lockgate.client import Client
from lockgate.mock import MockServer

IN_CI = bool(os.environ.get("CI"))


@pytest.fixture
async def mock() -> AsyncIterator[MockServer]:
    async with MockServer() as server:
        yield server


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    # An empty environment: tests never pick up a developer's real provider keys.
    sdk = Client(env={})
    yield sdk
    await sdk.aclose()
