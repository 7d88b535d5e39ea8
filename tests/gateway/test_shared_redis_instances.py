"""Two gateway instances sharing Redis see each other's cooldowns."""

from __future__ import annotations

import os
import uuid

import openai
import pytest
import redis.asyncio as redis_asyncio

from lockgate.config import parse_config
from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, running_gateway

MESSAGES = [{"role": "user", "content": "hi"}]


async def redis_reachable() -> bool:
    client = redis_asyncio.Redis(host="127.0.0.1", port=6379)
    try:
        return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()


def shared_config(mock_url: str, run: str) -> str:
    return f"""
model_list:
  - model_name: chat
    litellm_params: {{model: openai/mock-east, api_base: "{mock_url}/v1", api_key: sk-east}}
    model_info: {{id: east-{run}}}
  - model_name: chat
    litellm_params: {{model: openai/mock-west, api_base: "{mock_url}/v1", api_key: sk-west}}
    model_info: {{id: west-{run}}}
router_settings:
  redis_host: 127.0.0.1
  redis_port: 6379
  allowed_fails: 1
  cooldown_time: 30
  num_retries: 2
"""


def east_calls(mock: MockServer) -> int:
    return sum(1 for r in mock.requests if r["body"]["model"] == "mock-east")


async def test_cooldown_seen_by_the_other_instance(mock: MockServer) -> None:
    if not await redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI at 127.0.0.1:6379")
        pytest.skip("no Redis at 127.0.0.1:6379")
    run = uuid.uuid4().hex[:12]  # deployment ids are part of the shared keys
    config = parse_config(shared_config(mock.url, run), source="<test>", env={})
    mock.script({"mock-east": [{"status": 500, "times": 1000}]})
    async with running_gateway(config) as first, running_gateway(config) as second:
        a = openai.AsyncOpenAI(base_url=first.openai_base, api_key=MASTER_KEY, max_retries=0)
        b = openai.AsyncOpenAI(base_url=second.openai_base, api_key=MASTER_KEY, max_retries=0)
        try:
            for _ in range(20):  # through the first instance until east has failed twice
                await a.chat.completions.create(model="chat", messages=MESSAGES)  # type: ignore[arg-type]
                if east_calls(mock) >= 2:
                    break
            assert east_calls(mock) >= 2
            before = east_calls(mock)
            for _ in range(10):
                reply = await b.chat.completions.create(model="chat", messages=MESSAGES)  # type: ignore[arg-type]
                assert reply.model == "mock-west"
            # The second instance never tried east: it saw the first one's cooldown.
            assert east_calls(mock) == before
        finally:
            await a.close()
            await b.close()
