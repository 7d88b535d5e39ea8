"""Router test helpers: deployments on the mock provider, routers closed per test, and a
Redis connection (a failure, not a skip, when CI is set and Redis is missing)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from lockgate.client import Client
from lockgate.mock import MockServer
from lockgate.router import Router

REDIS_URL = "redis://127.0.0.1:6379/0"
MESSAGES = [{"role": "user", "content": "Say hello"}]

Deploy = Callable[..., dict[str, Any]]
MakeRouter = Callable[..., Router]


@pytest.fixture
def deploy(mock: MockServer) -> Deploy:
    """``deploy("group", "mock-a-slow-50ms", rpm=3)``: a model_list entry on the mock."""

    def make(group: str, model: str, **params: Any) -> dict[str, Any]:
        info = params.pop("model_info", None)
        entry: dict[str, Any] = {
            "model_name": group,
            "litellm_params": {
                "model": model if "/" in model else f"openai/{model}",
                "api_base": mock.openai_base_url,
                "api_key": "sk-test",
                **params,
            },
        }
        if info is not None:
            entry["model_info"] = info
        return entry

    return make


@pytest.fixture
async def make_router(client: Client) -> AsyncIterator[MakeRouter]:
    """Routers on the shared test client (no environment keys), closed after the test."""
    made: list[Router] = []

    def make(model_list: list[dict[str, Any]], **settings: Any) -> Router:
        settings.setdefault("client", client)
        settings.setdefault("seed", 7)
        router = Router(model_list=model_list, **settings)
        made.append(router)
        return router

    yield make
    for router in made:
        await router.aclose()


def served_by(response: Any) -> str:
    """The upstream model (``openai/...`` stripped) that served a response or stream."""
    return str(response._hidden_params["deployment"]).removeprefix("openai/")


async def connect_redis() -> Redis:
    """A client of the test Redis; skips the test without one, fails it when CI is set."""
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2.0)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        await client.aclose()
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI and is not reachable at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return client


def new_prefix() -> str:
    return f"lockgate-test:{uuid.uuid4().hex}"


async def drop_prefix(client: Redis, prefix: str) -> None:
    keys = [key async for key in client.scan_iter(match="{" + prefix + "}*")]
    if keys:
        await client.delete(*keys)


@pytest.fixture
async def redis_client() -> AsyncIterator[Redis]:
    client = await connect_redis()
    yield client
    await client.aclose()


@pytest.fixture
async def redis_prefix(redis_client: Redis) -> AsyncIterator[str]:
    """A key prefix of this test alone; its keys are deleted afterwards."""
    prefix = new_prefix()
    yield prefix
    await drop_prefix(redis_client, prefix)
