"""Changes made on one instance apply on the other within a second (Redis pub/sub)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from lockgate.errors import AuthenticationError
from lockgate.gateway.control_plane import ControlPlane
from lockgate.mock import MockServer
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.admin.shared_setup import shared_config
from tests.gateway.harness import MASTER_KEY, running_gateway
from tests.servers import postgres_database, redis_prefix

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def _status(session: aiohttp.ClientSession, url: str, key: str) -> int:
    async with session.get(url + "/v1/models", headers={"Authorization": f"Bearer {key}"}) as r:
        return r.status


async def _within_a_second(session: aiohttp.ClientSession, url: str, key: str, want: int) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 1.0:
        if await _status(session, url, key) == want:
            return time.monotonic() - started
        await asyncio.sleep(0.01)
    raise AssertionError(f"status {want} not seen within a second")


async def _generate_within_a_second(admin: AdminClient, team_id: str) -> str:
    started = time.monotonic()
    while time.monotonic() - started < 1.0:
        status, body = await admin.post("/key/generate", {"team_id": team_id})
        if status == 200:
            return str(body["key"])
        assert status == 404, body  # only "team does not exist (yet)" is expected here
        await asyncio.sleep(0.01)
    raise AssertionError("the new team did not reach the other instance within a second")


async def test_key_and_team_changes_reach_the_other_instance(mock: MockServer) -> None:
    async with postgres_database() as database_url, redis_prefix() as prefix:
        config = shared_config(mock, database_url, prefix)
        async with running_gateway(config) as one, running_gateway(config) as two:
            async with aiohttp.ClientSession() as session:
                admin = AdminClient(session, one.url, MASTER_KEY)
                made = await admin.ok("/key/generate", {})
                key, key_id = made["key"], made["token_id"]
                await _within_a_second(session, two.url, key, 200)
                await admin.ok("/key/block", {"key": key_id})
                await _within_a_second(session, two.url, key, 401)
                await admin.ok("/key/unblock", {"key": key_id})
                await _within_a_second(session, two.url, key, 200)
                # A team blocked on instance two stops its keys on instance one.
                team = await AdminClient(session, two.url, MASTER_KEY).ok("/team/new", {})
                # The team made on instance two reaches instance one within a second too.
                team_key = await _generate_within_a_second(admin, team["team_id"])
                await _within_a_second(session, two.url, team_key, 200)
                await AdminClient(session, two.url, MASTER_KEY).ok(
                    "/team/block", {"team_id": team["team_id"]}
                )
                await _within_a_second(session, one.url, team_key, 401)
                await admin.ok("/key/delete", {"keys": [key_id]})
                await _within_a_second(session, two.url, key, 401)


async def test_a_change_made_while_an_instance_reads_the_store_is_not_lost(
    mock: MockServer, tmp_path: Path
) -> None:
    """The key is blocked elsewhere after this instance read its keys but before it finished
    starting: the instance must still end up with the key blocked."""
    async with postgres_database() as database_url, redis_prefix() as prefix:
        config = shared_config(mock, database_url, prefix)
        async with running_gateway(config) as one, aiohttp.ClientSession() as session:
            admin = AdminClient(session, one.url, MASTER_KEY)
            made = await admin.ok("/key/generate", {})
            plane = ControlPlane(config, tmp_path)
            read_the_store = plane.loader.load_all

            async def read_then_change_elsewhere() -> None:
                await read_the_store()
                await admin.ok("/key/block", {"key": made["token_id"]})

            plane.loader.load_all = read_then_change_elsewhere  # type: ignore[method-assign]
            try:
                await plane.start()
                started = time.monotonic()
                while time.monotonic() - started < 1.0:
                    record = plane.cache.key(made["token_id"])
                    if record is not None and record.blocked:
                        break
                    await asyncio.sleep(0.01)
                with pytest.raises(AuthenticationError, match="blocked"):
                    plane.authenticator.authenticate(made["key"])
            finally:
                await plane.aclose()
