"""Router failover and cooldown recovery through the gateway, seen from the openai SDK."""

from __future__ import annotations

import asyncio
from collections import Counter

import openai

from lockgate.config import parse_config
from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, running_gateway

MESSAGES = [{"role": "user", "content": "which deployment?"}]


def two_deployments(mock_url: str) -> str:
    # The mock reads "mock-..." model names as words: "east"/"west" are labels.
    return f"""
model_list:
  - model_name: chat
    litellm_params:
      model: openai/mock-east
      api_base: {mock_url}/v1
      api_key: sk-east
  - model_name: chat
    litellm_params:
      model: openai/mock-west
      api_base: {mock_url}/v1
      api_key: sk-west
router_settings:
  routing_strategy: simple-shuffle
  num_retries: 2
  allowed_fails: 1
  cooldown_time: 1
"""


async def test_failover_cooldown_and_recovery(mock: MockServer) -> None:
    config = parse_config(two_deployments(mock.url), source="<test>", env={})
    async with running_gateway(config) as gateway:
        client = openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0)
        try:
            # East fails every time: each request still succeeds, served by west.
            mock.script({"mock-east": [{"status": 500, "times": 1000}]})
            for _ in range(8):
                reply = await client.chat.completions.create(model="chat", messages=MESSAGES)  # type: ignore[arg-type]
                assert reply.model == "mock-west"
            east_calls = sum(1 for r in mock.requests if r["body"]["model"] == "mock-east")
            # After allowed_fails, east is cooled down and no longer tried on every request.
            assert 1 <= east_calls <= 3
            # East recovers: the failures stop and the cooldown ends by itself.
            mock.reset()
            await asyncio.sleep(1.2)
            served = Counter()
            for _ in range(20):
                reply = await client.chat.completions.create(model="chat", messages=MESSAGES)  # type: ignore[arg-type]
                served[reply.model] += 1
            assert served["mock-east"] >= 3 and served["mock-west"] >= 3
        finally:
            await client.close()


async def test_stream_fails_over_before_the_first_byte(mock: MockServer) -> None:
    config = parse_config(two_deployments(mock.url), source="<test>", env={})
    async with running_gateway(config) as gateway:
        client = openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0)
        try:
            mock.script({"mock-east": [{"status": 503, "times": 1000}]})
            for _ in range(4):
                stream = await client.chat.completions.create(
                    model="chat",
                    messages=MESSAGES,
                    stream=True,  # type: ignore[arg-type]
                )
                models = {chunk.model async for chunk in stream}
                assert models == {"mock-west"}
        finally:
            await client.close()
