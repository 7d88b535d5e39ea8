"""LiteLLM's ``x-litellm-response-cost`` and ``x-litellm-model-id`` on answers sent whole
(openai SDK, ``with_raw_response``): the cost is the one the spend log records and the model
table gives for the usage; the id is the deployment's, as ``/model/info`` shows it. A stream's
headers go before its usage is known: it has neither."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import aiohttp
import openai
import pytest

from lockgate.mock import MockServer
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.harness import MASTER_KEY, config_for_mock, running_gateway

MODELS = ("gpt-4o-mini", "text-embedding-3-small", "gpt-3.5-turbo-instruct")
COST, MODEL_ID = "x-litellm-response-cost", "x-litellm-model-id"


@pytest.fixture
async def env(mock: MockServer) -> AsyncIterator[tuple[AdminClient, openai.AsyncOpenAI]]:
    """The admin client, and the openai SDK calling with a virtual key of its own."""
    async with (
        running_gateway(config_for_mock(mock.url, models=MODELS)) as gateway,
        aiohttp.ClientSession() as session,
    ):
        admin = AdminClient(session, gateway.url, MASTER_KEY)
        key = (await admin.ok("/key/generate", {}))["key"]
        async with openai.AsyncOpenAI(
            base_url=gateway.openai_base, api_key=key, max_retries=0
        ) as client:
            yield admin, client


def _table_cost(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """The price from the packaged model table, read as plain JSON (not through the code)."""
    table = json.loads(
        resources.files("lockgate.pricing").joinpath("model_table.json").read_bytes()
    )
    entry = table[model]
    return float(
        prompt_tokens * entry["input_cost_per_token"]
        + completion_tokens * entry["output_cost_per_token"]
    )


async def _logged(admin: AdminClient, request_id: str) -> dict[str, Any]:
    for _ in range(100):
        rows = await admin.read("/spend/logs", {"request_id": request_id})
        if rows:
            return dict(rows[0])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no spend row for {request_id}")


async def _deployment_ids(admin: AdminClient) -> dict[str, str]:
    info = await admin.read("/model/info")
    return {d["model_name"]: d["model_info"]["id"] for d in info["data"]}


async def test_cost_and_model_id_headers_match_the_spend_log(
    env: tuple[AdminClient, openai.AsyncOpenAI], mock: MockServer
) -> None:
    admin, client = env
    mock.script([{"content": "hello there", "usage": [1200, 345]}])
    chat = await client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
    )
    embedding = await client.embeddings.with_raw_response.create(
        model="text-embedding-3-small", input="a sentence to embed"
    )
    text = await client.completions.with_raw_response.create(
        model="gpt-3.5-turbo-instruct", prompt="Say this is a test", max_tokens=7
    )
    ids = await _deployment_ids(admin)
    answers = {
        "gpt-4o-mini": (chat, chat.parse().usage),
        "text-embedding-3-small": (embedding, embedding.parse().usage),
        "gpt-3.5-turbo-instruct": (text, text.parse().usage),
    }
    scripted = answers["gpt-4o-mini"][1]
    assert scripted is not None and (scripted.prompt_tokens, scripted.completion_tokens) == (
        1200,
        345,
    )
    for model, (raw, usage) in answers.items():
        assert usage is not None and usage.prompt_tokens > 0, model
        completion_tokens = getattr(usage, "completion_tokens", 0) or 0
        header = raw.headers[COST]
        cost = float(header)
        assert cost > 0, model
        assert cost == pytest.approx(_table_cost(model, usage.prompt_tokens, completion_tokens))
        row = await _logged(admin, raw.headers["x-request-id"])
        assert row["spend"] == cost, (model, row["spend"], header)  # the same float, exactly
        assert raw.headers[MODEL_ID] == ids[model] == row["model_id"], model


async def test_a_stream_has_no_cost_header(
    env: tuple[AdminClient, openai.AsyncOpenAI], mock: MockServer
) -> None:
    admin, client = env
    mock.script([{"content": "streamed", "usage": [10, 20]}])
    raw = await client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in raw.parse()]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 20
    assert COST not in raw.headers and MODEL_ID not in raw.headers
    # The spend is still logged once the stream ended.
    row = await _logged(admin, raw.headers["x-request-id"])
    assert row["spend"] == pytest.approx(_table_cost("gpt-4o-mini", 10, 20))


async def test_an_upstream_error_has_no_cost_header(
    env: tuple[AdminClient, openai.AsyncOpenAI], mock: MockServer
) -> None:
    _, client = env
    mock.script([{"status": 400}])  # context length: not retried
    with pytest.raises(openai.BadRequestError) as failed:
        await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    headers = failed.value.response.headers
    assert "x-request-id" in headers
    assert COST not in headers and MODEL_ID not in headers
