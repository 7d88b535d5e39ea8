"""What the OpenAPI fuzzing found, pinned as plain tests: a caller's model name travels
upstream (body, URL path, echoed headers), so it must be printable and bounded; embedding
`dimensions` sizes the upstream reply, so it is bounded too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway

AUTH = {"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"}


@pytest.fixture
async def gateway(mock: MockServer) -> AsyncIterator[RunningGateway]:
    async with running_gateway(config_for_mock(mock.url), control=False) as running:
        yield running


async def post(gateway: RunningGateway, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            gateway.openai_base + path, data=orjson.dumps(body), headers=AUTH
        ) as r:
            return r.status, await r.json()


@pytest.mark.parametrize("model", ["gpt\x0f4o", "gpt-4o\nx-injected: 1", "m" * 257, "\U00090b8a"])
async def test_unprintable_or_huge_model_names_are_400(
    gateway: RunningGateway, mock: MockServer, model: str
) -> None:
    for path, body in (
        ("/chat/completions", {"messages": [{"role": "user", "content": "x"}]}),
        ("/embeddings", {"input": "x"}),
        ("/completions", {"prompt": "x"}),
    ):
        status, payload = await post(gateway, path, {**body, "model": model})
        assert status == 400 and payload["error"]["param"] == "model", (path, payload)
    assert mock.requests == []


async def test_embedding_dimensions_are_bounded(gateway: RunningGateway, mock: MockServer) -> None:
    status, payload = await post(
        gateway, "/embeddings", {"model": "gpt-4o-mini", "input": "x", "dimensions": 566072745}
    )
    assert status == 400 and payload["error"]["param"] == "dimensions"
    assert mock.requests == []
    status, _ = await post(
        gateway, "/embeddings", {"model": "gpt-4o-mini", "input": "x", "dimensions": 256}
    )
    assert status == 200
