"""GET /v1/models and /v1/models/{id} per calling key (openai SDK): a key restricted by its
own models, its team's or its user's sees only what it may call, plus its aliases; the
master key and unrestricted keys see everything."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import openai
import pytest

from lockgate.mock import MockServer
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway

MODELS = ("gpt-4o-mini", "gpt-4o", "o3-mini")
EVERYTHING = sorted([*MODELS, "fast"])
_ALIAS = "router_settings:\n  model_group_alias:\n    fast: gpt-4o-mini\n"


@pytest.fixture
async def env(mock: MockServer) -> AsyncIterator[tuple[RunningGateway, AdminClient]]:
    config = config_for_mock(mock.url, _ALIAS, models=MODELS)
    async with running_gateway(config) as gateway, aiohttp.ClientSession() as session:
        yield gateway, AdminClient(session, gateway.url, MASTER_KEY)


def _client(gateway: RunningGateway, key: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=key, max_retries=0)


async def _listed(gateway: RunningGateway, key: str) -> list[str]:
    async with _client(gateway, key) as client:
        return [m.id async for m in client.models.list()]


async def _callable(gateway: RunningGateway, key: str, model: str) -> bool:
    async with _client(gateway, key) as client:
        try:
            await client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "hi"}], max_tokens=5
            )
        except openai.PermissionDeniedError:
            return False
        return True


async def _key(admin: AdminClient, **fields: object) -> str:
    return str((await admin.ok("/key/generate", dict(fields)))["key"])


async def test_master_and_unrestricted_keys_see_every_model(
    env: tuple[RunningGateway, AdminClient],
) -> None:
    gateway, admin = env
    assert await _listed(gateway, MASTER_KEY) == EVERYTHING
    assert await _listed(gateway, await _key(admin)) == EVERYTHING
    assert await _listed(gateway, await _key(admin, models=["all-proxy-models"])) == EVERYTHING


async def test_a_restricted_key_sees_only_what_it_may_call(
    env: tuple[RunningGateway, AdminClient],
) -> None:
    gateway, admin = env
    team = await admin.ok("/team/new", {"models": ["gpt-4o", "o3-mini"]})
    await admin.ok(
        "/user/new", {"user_id": "solo", "models": ["o3-mini"], "auto_create_key": False}
    )
    cases = {
        "own models": (await _key(admin, models=["gpt-4o-mini"]), ["gpt-4o-mini"]),
        "wildcard": (await _key(admin, models=["gpt-4o*"]), ["gpt-4o", "gpt-4o-mini"]),
        "team": (await _key(admin, team_id=team["team_id"]), ["gpt-4o", "o3-mini"]),
        "key within team": (
            await _key(admin, team_id=team["team_id"], models=["gpt-4o", "gpt-4o-mini"]),
            ["gpt-4o"],
        ),
        "user": (await _key(admin, user_id="solo"), ["o3-mini"]),
        "aliases": (
            await _key(
                admin,
                models=["gpt-4o-mini"],
                aliases={"cheap": "gpt-4o-mini", "big": "gpt-4o"},
            ),
            ["cheap", "gpt-4o-mini"],  # "big" points at a model the key may not use
        ),
    }
    for name, (key, expected) in cases.items():
        assert await _listed(gateway, key) == expected, name
        # The listing is exactly what admission lets through.
        for model in {*EVERYTHING, "cheap", "big"}:
            assert await _callable(gateway, key, model) == (model in expected), (name, model)


async def test_retrieving_a_model_the_key_may_not_use_is_404(
    env: tuple[RunningGateway, AdminClient],
) -> None:
    gateway, admin = env
    key = await _key(admin, models=["gpt-4o-mini"], aliases={"cheap": "gpt-4o-mini"})
    async with _client(gateway, key) as client:
        assert (await client.models.retrieve("gpt-4o-mini")).id == "gpt-4o-mini"
        assert (await client.models.retrieve("cheap")).id == "cheap"
        for hidden in ("gpt-4o", "fast", "no-such-model"):
            with pytest.raises(openai.NotFoundError) as missing:
                await client.models.retrieve(hidden)
            body = missing.value.body
            assert isinstance(body, dict)
            assert body["code"] == "model_not_found" and body["param"] == "model"
            assert hidden in body["message"]
    async with _client(gateway, MASTER_KEY) as client:
        assert (await client.models.retrieve("gpt-4o")).id == "gpt-4o"
    # The route without /v1 answers the same.
    status, data = await admin.as_key(key).get("/models")
    assert status == 200 and [m["id"] for m in data["data"]] == ["cheap", "gpt-4o-mini"]
    status, data = await admin.as_key(key).get("/models/gpt-4o")
    assert status == 404 and data["error"]["code"] == "model_not_found"


async def test_changes_to_a_key_apply_to_its_listing_at_once(
    env: tuple[RunningGateway, AdminClient],
) -> None:
    gateway, admin = env
    made = await admin.ok("/key/generate", {"models": ["gpt-4o"]})
    assert await _listed(gateway, made["key"]) == ["gpt-4o"]
    await admin.ok("/key/update", {"key": made["token_id"], "models": ["o3-mini", "fast"]})
    assert await _listed(gateway, made["key"]) == ["fast", "o3-mini"]
    await admin.ok("/key/update", {"key": made["token_id"], "models": []})
    assert await _listed(gateway, made["key"]) == EVERYTHING
