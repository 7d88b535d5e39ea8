"""Limits over HTTP (in-process backend, SQLite store): 429s with retry-after and
x-ratelimit-* headers, parallel limits, team budgets, spend logs and reports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from lockgate.mock import MockServer
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway

FAST_SPEND = "general_settings:\n  proxy_batch_write_at: 0.05\n"


@pytest.fixture
async def fast(mock: MockServer) -> AsyncIterator[tuple[RunningGateway, AdminClient]]:
    config = config_for_mock(mock.url, FAST_SPEND, models=("gpt-4o-mini", "mock-slow-300ms"))
    async with running_gateway(config) as gateway, aiohttp.ClientSession() as session:
        yield gateway, AdminClient(session, gateway.url, MASTER_KEY)


async def chat(
    admin: AdminClient, key: str, model: str = "gpt-4o-mini", **extra: Any
) -> tuple[int, Any, dict[str, str]]:
    body = {"model": model, "messages": [{"role": "user", "content": "hello"}], **extra}
    async with admin.session.post(
        admin.url + "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}
    ) as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
        return response.status, await response.json(content_type=None), headers


async def test_rpm_limit_answers_429_with_headers(fast: tuple[RunningGateway, AdminClient]) -> None:
    _, admin = fast
    key = (await admin.ok("/key/generate", {"rpm_limit": 2, "tpm_limit": 100000}))["key"]
    status, _, headers = await chat(admin, key)
    assert status == 200
    assert headers["x-ratelimit-limit-requests"] == "2"
    assert headers["x-ratelimit-remaining-requests"] == "1"
    assert headers["x-ratelimit-limit-tokens"] == "100000"
    assert int(headers["x-ratelimit-remaining-tokens"]) < 100000
    assert (await chat(admin, key))[0] == 200
    status, body, headers = await chat(admin, key)
    assert status == 429
    assert body["error"]["type"] == "rate_limit_error"
    assert body["error"]["code"] == "rpm_limit_exceeded"
    assert 1 <= int(headers["retry-after"]) <= 60
    assert headers["x-ratelimit-remaining-requests"] == "0"


async def test_parallel_limit(fast: tuple[RunningGateway, AdminClient]) -> None:
    _, admin = fast
    key = (await admin.ok("/key/generate", {"max_parallel_requests": 1}))["key"]
    first, second = await asyncio.gather(
        chat(admin, key, "mock-slow-300ms"), chat(admin, key, "mock-slow-300ms")
    )
    assert sorted([first[0], second[0]]) == [200, 429]
    assert (await chat(admin, key))[0] == 200  # the slot was released


async def test_team_budget_names_the_team(fast: tuple[RunningGateway, AdminClient]) -> None:
    _, admin = fast
    team = await admin.ok("/team/new", {"team_alias": "research", "max_budget": 0.0000001})
    key = (await admin.ok("/key/generate", {"team_id": team["team_id"]}))["key"]
    status, body, headers = await chat(admin, key, max_tokens=5)
    assert status == 429
    assert body["error"]["type"] == "budget_exceeded"
    assert "team 'research'" in body["error"]["message"]
    assert int(headers["retry-after"]) >= 1


async def test_spend_logs_and_reports(fast: tuple[RunningGateway, AdminClient]) -> None:
    _, admin = fast
    team = await admin.ok("/team/new", {"team_alias": "ops"})
    made = await admin.ok(
        "/key/generate", {"team_id": team["team_id"], "tags": ["prod"], "key_alias": "ops-key"}
    )
    for _ in range(3):
        assert (await chat(admin, made["key"], user="customer-7"))[0] == 200
    logs: list[dict[str, Any]] = []
    for _ in range(50):
        logs = await admin.read("/spend/logs", {"key_id": made["token_id"]})
        if len(logs) == 3:
            break
        await asyncio.sleep(0.05)
    assert len(logs) == 3
    row = logs[0]
    assert row["team_id"] == team["team_id"] and row["end_user"] == "customer-7"
    assert row["request_tags"] == ["prod"] and row["status"] == "success"
    assert (
        row["spend"] > 0 and row["total_tokens"] == row["prompt_tokens"] + row["completion_tokens"]
    )
    assert row["request_body"] is None  # no payloads unless log_payloads
    # The key's own view of the logs is its own rows only.
    own = await admin.as_key(made["key"]).read("/spend/logs")
    assert {r["api_key"] for r in own} == {made["token_id"]}
    other = (await admin.ok("/key/generate", {}))["key"]
    assert await admin.as_key(other).read("/spend/logs") == []

    by_team = await admin.read("/global/spend/report", {"group_by": "team"})
    teams = by_team[0]["teams"]
    assert any(t["team"] == team["team_id"] and t["total_requests"] == 3 for t in teams)
    by_tag = await admin.read("/global/spend/report", {"group_by": "tag"})
    assert by_tag[0]["tags"][0]["tag"] == "prod"
    by_model = await admin.read("/global/spend/report", {"group_by": "model"})
    assert by_model[0]["models"][0]["model"] == "gpt-4o-mini"
    info = await admin.read("/key/info", {"key": made["token_id"]})
    assert info["info"]["spend"] == pytest.approx(sum(r["spend"] for r in logs))
