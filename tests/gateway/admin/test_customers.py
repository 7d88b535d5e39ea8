"""End users (customers) and budgets through the admin API, and their enforcement on model
requests made with the openai SDK (``user=``), on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import openai
import pytest

from lockgate.mock import MockServer
from lockgate.store.admin_tables import AuditRow
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway
from tests.servers import postgres_database

# ``budgeted`` replies 40 word pieces and is priced in the config ($1 per million prompt
# tokens, $10 per million completion tokens): a request costs about $0.0004.
_PRICED = """
  - model_name: budgeted
    litellm_params:
      model: openai/mock-tokens-40
      api_base: {mock}/v1
      api_key: sk-upstream
      input_cost_per_token: 0.000001
      output_cost_per_token: 0.00001
general_settings:
  proxy_batch_write_at: 0.05
"""


class Env:
    def __init__(self, gateway: RunningGateway, admin: AdminClient) -> None:
        self.gateway = gateway
        self.admin = admin

    def client(self, key: str = MASTER_KEY) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            base_url=self.gateway.openai_base, api_key=key, max_retries=0, timeout=20
        )

    async def chat(self, user: str, model: str = "budgeted", key: str = MASTER_KEY) -> Any:
        async with self.client(key) as client:
            return await client.chat.completions.create(
                model=model,
                messages=[{"role": "user", "content": "hello"}],
                max_tokens=50,
                user=user,
            )

    async def audit_actions(self, object_id: str) -> list[str]:
        control = self.gateway.app.state.control
        assert control is not None
        rows = await control.store.find(
            AuditRow, AuditRow.object_id == object_id, order_by=AuditRow.id
        )
        assert all(r.actor == "master" for r in rows)
        return [r.action for r in rows]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def env(request: pytest.FixtureRequest, mock: MockServer) -> AsyncIterator[Env]:
    extra = _PRICED.format(mock=mock.url)
    async with _database(request.param) as url:
        if url:
            extra += f"  database_url: {url}\n"
        config = config_for_mock(mock.url, extra, models=("gpt-4o-mini", "gpt-4o"))
        async with running_gateway(config) as gateway, aiohttp.ClientSession() as session:
            yield Env(gateway, AdminClient(session, gateway.url, MASTER_KEY))


def _database(kind: str) -> Any:
    if kind == "postgres":
        return postgres_database()
    return _no_database()


class _no_database:  # an async context manager yielding "" (SQLite default)
    async def __aenter__(self) -> str:
        return ""

    async def __aexit__(self, *_: object) -> None:
        return None


async def test_customer_lifecycle(env: Env) -> None:
    admin = env.admin
    made = await admin.ok(
        "/customer/new",
        {"user_id": "acme", "alias": "Acme Corp", "max_budget": 5, "rpm_limit": 100},
    )
    assert made["user_id"] == "acme" and made["alias"] == "Acme Corp"
    assert made["blocked"] is False and made["spend"] == 0
    budget = made["litellm_budget_table"]
    assert budget["max_budget"] == 5 and budget["rpm_limit"] == 100
    assert made["budget_id"] == budget["budget_id"]
    # Same record by both names of the route.
    info = await admin.read("/customer/info", {"end_user_id": "acme"})
    assert info == await admin.read("/end_user/info", {"end_user_id": "acme"})
    assert info["litellm_budget_table"]["budget_id"] == budget["budget_id"]
    assert [c["user_id"] for c in await admin.read("/customer/list")] == ["acme"]

    # Budget fields on update change the customer's budget.
    updated = await admin.ok(
        "/customer/update", {"user_id": "acme", "alias": "ACME", "rpm_limit": 7}
    )
    assert updated["alias"] == "ACME"
    assert updated["budget_id"] == budget["budget_id"]
    assert updated["litellm_budget_table"]["rpm_limit"] == 7
    assert updated["litellm_budget_table"]["max_budget"] == 5

    blocked = await admin.ok("/customer/block", {"user_ids": ["acme"]})
    assert [u["blocked"] for u in blocked["blocked_users"]] == [True]
    assert (await admin.read("/customer/info", {"end_user_id": "acme"}))["blocked"] is True
    await admin.ok("/end_user/unblock", {"user_ids": ["acme"]})
    assert (await admin.read("/customer/info", {"end_user_id": "acme"}))["blocked"] is False

    deleted = await admin.ok("/customer/delete", {"user_ids": ["acme"]})
    assert deleted["deleted_customers"] == 1
    status, body = await admin.get("/customer/info", {"end_user_id": "acme"})
    assert status == 404 and body["error"]["param"] == "end_user_id"
    assert await admin.read("/customer/list") == []
    assert await env.audit_actions("acme") == [
        "customer.new",
        "customer.update",
        "customer.block",
        "customer.unblock",
        "customer.delete",
    ]
    assert await env.audit_actions(budget["budget_id"]) == ["budget.new", "budget.update"]


async def test_budget_routes(env: Env) -> None:
    admin = env.admin
    made = await admin.ok(
        "/budget/new", {"budget_id": "free-tier", "max_budget": 1.5, "budget_duration": "30d"}
    )
    assert made["budget_id"] == "free-tier" and made["max_budget"] == 1.5
    assert made["budget_reset_at"] is not None and made["created_by"] == "master"
    updated = await admin.ok("/budget/update", {"budget_id": "free-tier", "tpm_limit": 1000})
    assert updated["tpm_limit"] == 1000 and updated["max_budget"] == 1.5
    info = await admin.ok("/budget/info", {"budgets": ["free-tier", "unknown"]})
    assert [b["budget_id"] for b in info] == ["free-tier"]
    assert [b["budget_id"] for b in await admin.read("/budget/list")] == ["free-tier"]
    settings = await admin.read("/budget/settings", {"budget_id": "free-tier"})
    values = {s["field_name"]: s["field_value"] for s in settings}
    assert values["max_budget"] == 1.5 and values["tpm_limit"] == 1000
    assert values["budget_duration"] == "30d"

    # A budget in use is not deleted (it would lift the customer's limits).
    await admin.ok("/customer/new", {"user_id": "c1", "budget_id": "free-tier"})
    status, body = await admin.post("/budget/delete", {"id": "free-tier"})
    assert status == 400 and "'c1'" in body["error"]["message"]
    await admin.ok("/customer/update", {"user_id": "c1", "budget_id": None})
    assert (await admin.ok("/budget/delete", {"id": "free-tier"}))["budget_id"] == "free-tier"
    assert await admin.read("/budget/list") == []
    assert await env.audit_actions("free-tier") == ["budget.new", "budget.update", "budget.delete"]


async def test_blocked_customer_is_refused(env: Env) -> None:
    await env.admin.ok("/customer/new", {"user_id": "mallory"})
    assert (await env.chat("mallory")).choices[0].message.content
    # Blocking applies at once; an end user never seen before can be blocked too.
    await env.admin.ok("/customer/block", {"user_ids": ["mallory", "eve"]})
    for user in ("mallory", "eve"):
        with pytest.raises(openai.PermissionDeniedError) as refused:
            await env.chat(user)
        assert refused.value.status_code == 403
        error = refused.value.body
        assert isinstance(error, dict)
        assert error["type"] == "permission_error" and error["code"] == "end_user_blocked"
        assert error["param"] == "user" and f"'{user}'" in error["message"]
    assert (await env.chat("someone-else")).choices  # other end users are not affected
    await env.admin.ok("/customer/unblock", {"user_ids": ["mallory"]})
    assert (await env.chat("mallory")).choices


async def test_tiny_budget_is_refused_after_spend(env: Env) -> None:
    # Room for one request's worst case ($0.00055 with max_tokens=50), not for two.
    await env.admin.ok("/customer/new", {"user_id": "tiny", "max_budget": 0.0007})
    await env.chat("tiny")
    with pytest.raises(openai.RateLimitError) as refused:
        await env.chat("tiny")
    assert refused.value.status_code == 429
    error = refused.value.body
    assert isinstance(error, dict)
    assert error["type"] == "budget_exceeded" and "end user 'tiny'" in error["message"]
    assert int(refused.value.response.headers["retry-after"]) >= 1
    # The spend reaches the customer's record (batch writer).
    for _ in range(100):
        info = await env.admin.read("/customer/info", {"end_user_id": "tiny"})
        if info["spend"] > 0:
            break
        await asyncio.sleep(0.05)
    assert 0.0003 < info["spend"] <= 0.0007
    # Raising the budget applies at once.
    await env.admin.ok("/customer/update", {"user_id": "tiny", "max_budget": 1})
    assert (await env.chat("tiny")).choices


async def test_budget_shared_by_two_customers(env: Env) -> None:
    admin = env.admin
    await admin.ok("/budget/new", {"budget_id": "starter", "max_budget": 0.0007})
    for user in ("alice", "bob"):
        made = await admin.ok("/customer/new", {"user_id": user, "budget_id": "starter"})
        assert made["litellm_budget_table"]["max_budget"] == 0.0007
    # Each customer spends against the budget on their own.
    await env.chat("alice")
    with pytest.raises(openai.RateLimitError):
        await env.chat("alice")
    await env.chat("bob")
    with pytest.raises(openai.RateLimitError):
        await env.chat("bob")
    # A change to the budget applies to both at once.
    await admin.ok("/budget/update", {"budget_id": "starter", "max_budget": 1})
    assert (await env.chat("alice")).choices and (await env.chat("bob")).choices
    await admin.ok("/budget/update", {"budget_id": "starter", "rpm_limit": 1})
    with pytest.raises(openai.RateLimitError) as limited:
        await env.chat("alice")
    error = limited.value.body
    assert isinstance(error, dict) and error["code"] == "rpm_limit_exceeded"


@pytest.mark.parametrize(
    ("path", "body", "status", "param"),
    [
        ("/customer/new", {}, 400, "user_id"),
        ("/customer/new", {"user_id": 7}, 400, "user_id"),
        ("/customer/new", {"user_id": "x" * 300}, 400, "user_id"),
        ("/customer/new", {"user_id": "a", "budget_id": "nope"}, 404, "budget_id"),
        ("/customer/new", {"user_id": "a", "max_budget": "ten"}, 400, "max_budget"),
        ("/customer/new", {"user_id": "a", "rpm_limit": -1}, 400, "rpm_limit"),
        ("/customer/new", {"user_id": "a", "blocked": "yes"}, 400, "blocked"),
        ("/customer/new", {"user_id": "a", "budget_duration": "soon"}, 400, "budget_duration"),
        (
            "/customer/new",
            {"user_id": "a", "allowed_model_region": "mars"},
            400,
            "allowed_model_region",
        ),
        ("/customer/new", {"user_id": "a", "default_model": "gpt-9"}, 422, "default_model"),
        ("/customer/new", {"user_id": "a", "colour": "red"}, 400, "colour"),
        ("/customer/new", {"user_id": "a", "metadata": [1]}, 400, "metadata"),
        ("/customer/update", {"alias": "x"}, 400, "user_id"),
        ("/customer/update", {"user_id": "ghost"}, 404, "user_id"),
        ("/customer/delete", {}, 400, "user_ids"),
        ("/customer/delete", {"user_ids": "ghost"}, 400, "user_ids"),
        ("/customer/delete", {"user_ids": ["ghost"]}, 404, "user_ids"),
        ("/customer/unblock", {"user_ids": ["ghost"]}, 404, "user_ids"),
        ("/customer/block", {"user_ids": [1]}, 400, "user_ids"),
        ("/budget/new", {"max_budget": -5}, 400, "max_budget"),
        ("/budget/new", {"budget_id": "b" * 65}, 400, "budget_id"),
        ("/budget/new", {"model_max_budget": {"gpt-4o": 3}}, 400, "model_max_budget"),
        ("/budget/update", {"max_budget": 1}, 400, "budget_id"),
        ("/budget/update", {"budget_id": "nope"}, 404, "budget_id"),
        ("/budget/info", {}, 400, "budgets"),
        ("/budget/info", {"budgets": "b1"}, 400, "budgets"),
        ("/budget/delete", {}, 400, "id"),
        ("/budget/delete", {"id": "nope"}, 404, "id"),
    ],
)
async def test_bad_input_names_the_field(
    env: Env, path: str, body: dict[str, Any], status: int, param: str
) -> None:
    got, answer = await env.admin.post(path, body)
    assert (got, answer["error"]["param"]) == (status, param), answer
    assert answer["error"]["message"] and answer["error"]["type"]


async def test_bad_queries_and_conflicts(env: Env) -> None:
    admin = env.admin
    status, body = await admin.get("/customer/info")
    assert status == 400 and body["error"]["param"] == "end_user_id"
    status, body = await admin.get("/budget/settings", {"budget_id": "nope"})
    assert status == 404 and body["error"]["param"] == "budget_id"
    status, body = await admin.get("/customer/list", {"page": "zero"})
    assert status == 400 and body["error"]["param"] == "page"
    await admin.ok("/budget/new", {"budget_id": "b1"})
    await admin.ok("/customer/new", {"user_id": "dup"})
    for path, again in (
        ("/budget/new", {"budget_id": "b1"}),
        ("/customer/new", {"user_id": "dup"}),
    ):
        status, body = await admin.post(path, again)
        assert status == 400 and "already exists" in body["error"]["message"]
    status, body = await admin.post(
        "/customer/new", {"user_id": "both", "budget_id": "b1", "max_budget": 3}
    )
    assert status == 400 and body["error"]["param"] == "budget_id"
    async with admin.session.post(
        admin.url + "/customer/new",
        data=b"[1]",
        headers={"Authorization": f"Bearer {MASTER_KEY}", "content-type": "application/json"},
    ) as response:
        assert response.status == 400
        assert (await response.json())["error"]["type"] == "invalid_request_error"
