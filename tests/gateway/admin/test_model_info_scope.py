"""/model/info and /v2/model/info per calling key: a key sees the deployments admission lets
it call, restricted by its own ``models`` and its team's, organisation's or user's; the
master key and unrestricted keys see every deployment."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from lockgate.mock import MockServer
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway
from tests.gateway.test_models_filtered import _callable  # the same admission probe

MODELS = ("gpt-4o-mini", "gpt-4o", "o3-mini")
INFO_PATHS = ("/model/info", "/v2/model/info")


@pytest.fixture
async def env(mock: MockServer) -> AsyncIterator[tuple[RunningGateway, AdminClient]]:
    async with (
        running_gateway(config_for_mock(mock.url, models=MODELS)) as gateway,
        aiohttp.ClientSession() as session,
    ):
        yield gateway, AdminClient(session, gateway.url, MASTER_KEY)


async def _shown(admin: AdminClient, key: str, **params: str) -> list[str]:
    """The model names the info routes show ``key``, sorted (both routes agree)."""
    shown = []
    for path in INFO_PATHS:
        info = await admin.as_key(key).read(path, params)
        assert "sk-upstream-secret-1234" not in str(info)
        shown.append(sorted(d["model_name"] for d in info["data"]))
    assert shown[0] == shown[1], shown
    return shown[0]


async def _key(admin: AdminClient, **fields: object) -> str:
    return str((await admin.ok("/key/generate", dict(fields)))["key"])


async def test_info_shows_what_the_key_may_call(env: tuple[RunningGateway, AdminClient]) -> None:
    gateway, admin = env
    team = await admin.ok("/team/new", {"models": ["gpt-4o", "o3-mini"]})
    org = await admin.ok("/organization/new", {"models": ["gpt-4o-mini", "gpt-4o"]})
    org_team = await admin.ok(
        "/team/new", {"organization_id": org["organization_id"], "models": ["gpt-4o", "o3-mini"]}
    )
    await admin.ok(
        "/user/new", {"user_id": "solo", "models": ["o3-mini"], "auto_create_key": False}
    )
    cases = {
        "master": (MASTER_KEY, sorted(MODELS)),
        "unrestricted": (await _key(admin), sorted(MODELS)),
        "own models": (await _key(admin, models=["gpt-4o-mini"]), ["gpt-4o-mini"]),
        "team": (await _key(admin, team_id=team["team_id"]), ["gpt-4o", "o3-mini"]),
        "key within team": (
            await _key(admin, team_id=team["team_id"], models=["gpt-4o", "gpt-4o-mini"]),
            ["gpt-4o"],
        ),
        "team within organisation": (await _key(admin, team_id=org_team["team_id"]), ["gpt-4o"]),
        "user": (await _key(admin, user_id="solo"), ["o3-mini"]),
    }
    for name, (key, expected) in cases.items():
        assert await _shown(admin, key) == expected, name
        # Exactly what admission lets through.
        for model in MODELS:
            assert await _callable(gateway, key, model) == (model in expected), (name, model)
    # Asking for a model the team does not allow finds nothing, not the deployment.
    team_key = cases["team"][0]
    assert await _shown(admin, team_key, model="gpt-4o-mini") == []
    assert await _shown(admin, team_key, model="gpt-4o") == ["gpt-4o"]


async def test_a_team_change_applies_to_info_at_once(
    env: tuple[RunningGateway, AdminClient],
) -> None:
    _, admin = env
    team = await admin.ok("/team/new", {"models": ["gpt-4o"]})
    key = await _key(admin, team_id=team["team_id"])
    assert await _shown(admin, key) == ["gpt-4o"]
    await admin.ok("/team/update", {"team_id": team["team_id"], "models": ["o3-mini"]})
    assert await _shown(admin, key) == ["o3-mini"]
    await admin.ok("/team/update", {"team_id": team["team_id"], "models": []})
    assert await _shown(admin, key) == sorted(MODELS)
