"""Deployments added through the admin API: stored encrypted, served at once, never shown.

The real gateway on SQLite (its file bytes are searched for the credential), the openai SDK
as the caller, the mock as the provider (it records the credential it received).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest

from lockgate.gateway.state import build_state
from lockgate.mock import MockServer
from lockgate.security import Secret
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway

MESSAGES = [{"role": "user", "content": "hi"}]
UPSTREAM_SECRET = "sk-db-upstream-4b1d9e77c0ffee"
ROTATED_SECRET = "sk-db-upstream-rotated-55aa11"


@dataclass
class Setup:
    gateway: RunningGateway
    admin: AdminClient
    mock: MockServer
    data_dir: Path


@pytest.fixture
async def setup(mock: MockServer, tmp_path: Path) -> AsyncIterator[Setup]:
    config = config_for_mock(mock.url, models=("gpt-4o-mini",))
    async with running_gateway(config, data_dir=tmp_path) as gateway:
        async with aiohttp.ClientSession() as session:
            yield Setup(gateway, AdminClient(session, gateway.url, MASTER_KEY), mock, tmp_path)


def sdk(gateway: RunningGateway, key: str = MASTER_KEY) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=key, max_retries=0)


def new_body(mock: MockServer, name: str = "db-model", **params: Any) -> dict[str, Any]:
    return {
        "model_name": name,
        "litellm_params": {
            "model": "openai/gpt-4o-mini",
            "api_base": f"{mock.url}/v1",
            "api_key": UPSTREAM_SECRET,
            **params,
        },
        "model_info": {"team": "research"},
    }


def upstream_keys(mock: MockServer) -> list[str]:
    return [r["headers"].get("authorization", "") for r in mock.requests]


def database_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in data_dir.glob("lockgate.db*"))


def raw_rows(data_dir: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data_dir / "lockgate.db") as db:
        return list(db.execute(f"SELECT * FROM {table}"))


async def test_add_call_show_update_delete(setup: Setup) -> None:
    admin, mock, gateway = setup.admin, setup.mock, setup.gateway
    made = await admin.ok("/model/new", new_body(mock))
    ident = made["model_info"]["id"]
    assert made["model_id"] == ident and made["model_info"]["db_model"] is True
    assert made["litellm_params"]["api_key"] == "**********"
    assert made["model_info"]["team"] == "research"
    assert UPSTREAM_SECRET not in str(made)

    # Served on this instance at once, with the stored credential sent upstream.
    async with sdk(gateway) as client:
        reply = await client.chat.completions.create(model="db-model", messages=MESSAGES)
        assert reply.choices[0].message.content
    assert upstream_keys(mock)[-1] == f"Bearer {UPSTREAM_SECRET}"
    listed = await admin.read("/v1/models")
    assert "db-model" in [m["id"] for m in listed["data"]]

    # At rest: no plaintext in the row, nor anywhere in the database file.
    (row,) = raw_rows(setup.data_dir, "lockgate_model_deployments")
    assert UPSTREAM_SECRET not in repr(row)
    assert row[0] == ident
    key_id = row[3]
    assert len(key_id) == 12 and row[2].startswith(key_id + ":")
    assert UPSTREAM_SECRET.encode() not in database_bytes(setup.data_dir)

    # /model/info and /v2/model/info show it redacted.
    for path in ("/model/info", "/v2/model/info"):
        info = await admin.read(path)
        assert UPSTREAM_SECRET not in str(info)
        (entry,) = [d for d in info["data"] if d["model_info"]["id"] == ident]
        assert entry["model_name"] == "db-model"
        assert entry["litellm_params"]["api_key"] == "**********"
    one = await admin.read("/model/info", {"litellm_model_id": ident})
    assert [d["model_info"]["id"] for d in one["data"]] == [ident]

    # Update: a new credential (only the changed field is sent), applied at once.
    updated = await admin.ok(
        "/model/update",
        {"model_info": {"id": ident}, "litellm_params": {"api_key": ROTATED_SECRET}},
    )
    assert updated["litellm_params"]["api_base"] == f"{mock.url}/v1"
    assert ROTATED_SECRET not in str(updated)
    async with sdk(gateway) as client:
        await client.chat.completions.create(model="db-model", messages=MESSAGES)
    assert upstream_keys(mock)[-1] == f"Bearer {ROTATED_SECRET}"

    # LiteLLM's PATCH form renames the group.
    async with admin.session.patch(
        f"{gateway.url}/model/{ident}/update",
        json={"model_name": "db-renamed"},
        headers={"Authorization": f"Bearer {MASTER_KEY}"},
    ) as response:
        assert response.status == 200, await response.text()
    async with sdk(gateway) as client:
        await client.chat.completions.create(model="db-renamed", messages=MESSAGES)
        with pytest.raises((openai.NotFoundError, openai.BadRequestError)):
            await client.chat.completions.create(model="db-model", messages=MESSAGES)

    # The audit log has the three actions, credentials redacted.
    audit = [r for r in raw_rows(setup.data_dir, "lockgate_audit_log") if r[5] == ident]
    assert [r[3] for r in audit] == ["model.new", "model.update", "model.update"]
    for secret in (UPSTREAM_SECRET, ROTATED_SECRET):
        assert secret not in repr(audit)

    # Delete: the SDK call fails as for a model that never existed.
    assert (await admin.ok("/model/delete", {"id": ident}))["message"].endswith("successfully")
    async with sdk(gateway) as client:
        with pytest.raises((openai.NotFoundError, openai.BadRequestError)):
            await client.chat.completions.create(model="db-renamed", messages=MESSAGES)
    status, body = await admin.post("/model/delete", {"id": ident})
    assert status == 404 and body["error"]["param"] == "id"
    assert raw_rows(setup.data_dir, "lockgate_model_deployments") == []
    audit = [r for r in raw_rows(setup.data_dir, "lockgate_audit_log") if r[5] == ident]
    assert audit[-1][3] == "model.delete" and UPSTREAM_SECRET not in repr(audit)
    assert UPSTREAM_SECRET not in setup.gateway.log.getvalue()


async def test_a_db_deployment_joins_the_config_group(setup: Setup) -> None:
    await setup.admin.ok("/model/new", new_body(setup.mock, name="gpt-4o-mini"))
    info = await setup.admin.read("/model/info", {"model": "gpt-4o-mini"})
    assert sorted(d["model_info"].get("db_model", False) for d in info["data"]) == [False, True]
    async with sdk(setup.gateway) as client:
        for _ in range(30):
            await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    keys = set(upstream_keys(setup.mock))
    assert keys == {f"Bearer {UPSTREAM_SECRET}", "Bearer sk-upstream-secret-1234"}


async def test_config_deployments_are_not_changed_through_the_api(setup: Setup) -> None:
    info = await setup.admin.read("/model/info", {"model": "gpt-4o-mini"})
    config_id = info["data"][0]["model_info"]["id"]
    for path, body in (
        ("/model/delete", {"id": config_id}),
        ("/model/update", {"model_info": {"id": config_id}, "litellm_params": {"rpm": 1}}),
    ):
        status, answer = await setup.admin.post(path, body)
        assert status == 400 and "config file" in answer["error"]["message"], answer
    status, answer = await setup.admin.post("/model/update", {"model_info": {"id": "nope"}})
    assert status == 404


@pytest.mark.parametrize(
    ("change", "param", "words"),
    [
        ({"api_base": "http://169.254.169.254/latest"}, "litellm_params.api_base", "refused"),
        ({"api_base": "http://[fd00:ec2::254]/v1"}, "litellm_params.api_base", "refused"),
        ({"api_base": "http://0.0.0.0:80/v1"}, "litellm_params.api_base", "refused"),
        ({"api_base": "file:///etc/passwd"}, "litellm_params.api_base", "http"),
        ({"api_key": "os.environ/LOCKGATE_SALT_KEY"}, "litellm_params.api_key", "os.environ"),
        ({"model": "nosuchprovider/x"}, "litellm_params.model", "provider"),
        ({"rpm": "fast"}, "litellm_params.rpm", "integer"),
        ({"frobnicate": 1}, "litellm_params.frobnicate", "unknown"),
    ],
)
async def test_bad_deployments_are_refused_naming_the_field(
    setup: Setup, change: dict[str, Any], param: str, words: str
) -> None:
    status, body = await setup.admin.post("/model/new", new_body(setup.mock, **change))
    assert status == 400, body
    assert body["error"]["param"] == param, body
    assert words in body["error"]["message"].lower(), body
    assert UPSTREAM_SECRET not in str(body)
    assert raw_rows(setup.data_dir, "lockgate_model_deployments") == []


async def test_other_bad_requests(setup: Setup) -> None:
    admin, mock = setup.admin, setup.mock
    cases: list[tuple[dict[str, Any], str]] = [
        ({**new_body(mock), "extra": 1}, "extra"),
        ({**new_body(mock), "model_info": {"api_key": "sk-x"}}, "model_info.api_key"),
        ({"model_name": "x"}, "litellm_params"),
        ({**new_body(mock), "model_name": ""}, "model_name"),
        ({**new_body(mock), "model_info": {"id": "bad id!"}}, "model_info.id"),
    ]
    for body, param in cases:
        status, answer = await admin.post("/model/new", body)
        assert status == 400 and answer["error"]["param"] == param, (body, answer)
    made = await admin.ok("/model/new", {**new_body(mock), "model_info": {"id": "mine-1"}})
    assert made["model_info"]["id"] == "mine-1"
    status, answer = await admin.post(
        "/model/new", {**new_body(mock), "model_info": {"id": "mine-1"}}
    )
    assert status == 400 and answer["error"]["param"] == "model_info.id"
    # An update is checked as strictly as a new deployment.
    status, answer = await admin.post(
        "/model/update",
        {"model_info": {"id": "mine-1"}, "litellm_params": {"api_base": "http://169.254.169.254"}},
    )
    assert status == 400 and answer["error"]["param"] == "litellm_params.api_base"


async def test_a_restricted_key_sees_only_its_models(setup: Setup) -> None:
    await setup.admin.ok("/model/new", new_body(setup.mock, name="hidden-model"))
    key = (await setup.admin.ok("/key/generate", {"models": ["gpt-4o-mini"]}))["key"]
    for path in ("/model/info", "/v2/model/info"):
        info = await setup.admin.as_key(key).read(path)
        assert {d["model_name"] for d in info["data"]} == {"gpt-4o-mini"}
    status, _ = await setup.admin.as_key(key).post("/model/new", new_body(setup.mock))
    assert status == 403
    async with setup.admin.session.patch(
        f"{setup.gateway.url}/model/anything/update",
        json={"model_name": "x"},
        headers={"Authorization": f"Bearer {key}"},
    ) as response:
        assert response.status == 403


async def test_deployments_survive_a_config_reload_and_a_restart(
    mock: MockServer, tmp_path: Path
) -> None:
    config = config_for_mock(mock.url, models=("gpt-4o-mini",))
    async with running_gateway(config, data_dir=tmp_path) as gateway:
        async with aiohttp.ClientSession() as session:
            admin = AdminClient(session, gateway.url, MASTER_KEY)
            await admin.ok("/model/new", new_body(mock))
            # What a SIGHUP does (GatewayRuntime.reload): a state from the re-read config.
            reloaded = config_for_mock(mock.url, models=("gpt-4o-mini", "gpt-4o"))
            app = gateway.app
            retired = app.replace_state(
                build_state(reloaded, master_key=Secret(MASTER_KEY), control=app.state.control)
            )
            async with sdk(gateway) as client:
                for model in ("db-model", "gpt-4o"):
                    await client.chat.completions.create(model=model, messages=MESSAGES)
            await retired.aclose()
    # A new process on the same store loads it at start.
    async with running_gateway(config, data_dir=tmp_path) as gateway:
        async with sdk(gateway) as client:
            await client.chat.completions.create(model="db-model", messages=MESSAGES)
    assert upstream_keys(mock)[-1] == f"Bearer {UPSTREAM_SECRET}"


async def _spend_of(admin: AdminClient, request_id: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 10:
        rows = await admin.read("/spend/logs", {"request_id": request_id})
        if rows:
            return float(rows[0]["spend"])
        await asyncio.sleep(0.1)
    raise AssertionError(f"no spend row for {request_id}")


async def test_a_deployments_own_prices_set_the_cost(setup: Setup) -> None:
    admin, mock = setup.admin, setup.mock
    await admin.ok(
        "/model/new",
        new_body(mock, name="priced", input_cost_per_token=0.5, output_cost_per_token=2.0),
    )
    info_priced = new_body(mock, name="priced-info")
    info_priced["model_info"] = {"input_cost_per_token": 0.25, "output_cost_per_token": 1.0}
    await admin.ok("/model/new", info_priced)
    async with sdk(setup.gateway) as client:
        spends: dict[str, tuple[float, float]] = {}
        for model, (inp, out) in {
            "gpt-4o-mini": (None, None),
            "priced": (0.5, 2.0),
            "priced-info": (0.25, 1.0),
        }.items():
            raw = await client.chat.completions.with_raw_response.create(
                model=model, messages=MESSAGES
            )
            usage = raw.parse().usage
            assert usage is not None and usage.prompt_tokens and usage.completion_tokens
            spend = await _spend_of(admin, raw.headers["x-request-id"])
            if inp is not None and out is not None:
                expected = usage.prompt_tokens * inp + usage.completion_tokens * out
                assert spend == pytest.approx(expected, rel=1e-9), model
            spends[model] = (spend, float(usage.prompt_tokens + usage.completion_tokens))
        # The table's gpt-4o-mini price is far below a dollar per token.
        assert 0 < spends["gpt-4o-mini"][0] < spends["gpt-4o-mini"][1] * 0.001

        # A stream is repriced too.
        stream = await client.chat.completions.with_raw_response.create(
            model="priced",
            messages=MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
        )
        usage = None
        async for chunk in stream.parse():
            usage = chunk.usage or usage
        assert usage is not None
        spend = await _spend_of(admin, stream.headers["x-request-id"])
        assert spend == pytest.approx(usage.prompt_tokens * 0.5 + usage.completion_tokens * 2.0)
