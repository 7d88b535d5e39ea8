"""API-added deployments across instances and secrets: added on one instance, callable on
the other within about a second (PostgreSQL + Redis); a row written under another server
secret is skipped with a log line naming its key id, and served again after
`lockgate keys rotate-encryption`."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest

from lockgate.keys.credential_cipher import CredentialCipher
from lockgate.mock import MockServer
from lockgate.security import Secret
from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.admin.shared_setup import shared_config
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway
from tests.servers import postgres_database, redis_prefix

MESSAGES = [{"role": "user", "content": "hi"}]
UPSTREAM_SECRET = "sk-db-upstream-instances-77e1"


def body(mock: MockServer, name: str) -> dict[str, Any]:
    return {
        "model_name": name,
        "litellm_params": {
            "model": "openai/gpt-4o-mini",
            "api_base": f"{mock.url}/v1",
            "api_key": UPSTREAM_SECRET,
        },
    }


async def _callable_within(gateway: RunningGateway, model: str, want: bool, limit: float) -> float:
    started = time.monotonic()
    async with openai.AsyncOpenAI(
        base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0
    ) as client:
        while time.monotonic() - started < limit:
            try:
                await client.chat.completions.create(model=model, messages=MESSAGES)
                ok = True
            except (openai.NotFoundError, openai.BadRequestError):
                ok = False
            if ok == want:
                return time.monotonic() - started
            await asyncio.sleep(0.02)
    raise AssertionError(f"{model} {'not ' if want else ''}callable within {limit} s")


@pytest.mark.postgres
@pytest.mark.redis
async def test_a_model_added_on_one_instance_is_served_by_the_other(mock: MockServer) -> None:
    async with postgres_database() as database_url, redis_prefix() as prefix:
        config = shared_config(mock, database_url, prefix)
        async with running_gateway(config) as one, running_gateway(config) as two:
            async with aiohttp.ClientSession() as session:
                admin = AdminClient(session, one.url, MASTER_KEY)
                made = await admin.ok("/model/new", body(mock, "everywhere"))
                await _callable_within(one, "everywhere", True, 0.2)  # at once here
                assert await _callable_within(two, "everywhere", True, 1.5) < 1.5
                other = AdminClient(session, two.url, MASTER_KEY)
                info = await other.read("/model/info", {"model": "everywhere"})
                assert [d["model_info"]["id"] for d in info["data"]] == [made["model_id"]]
                assert UPSTREAM_SECRET not in str(info)
                await other.ok(
                    "/model/update",
                    {"model_info": {"id": made["model_id"]}, "model_name": "renamed"},
                )
                await _callable_within(one, "renamed", True, 1.5)
                await other.ok("/model/delete", {"id": made["model_id"]})
                await _callable_within(one, "renamed", False, 1.5)
    assert all(r["headers"]["authorization"] == f"Bearer {UPSTREAM_SECRET}" for r in mock.requests)


def _config(mock: MockServer, salt: str) -> Any:
    return config_for_mock(mock.url, f"lockgate_settings:\n  salt_key: {salt}\n")


async def test_a_row_under_another_secret_is_skipped_then_rotated(
    mock: MockServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old, new = "first-secret-0123456789", "second-secret-9876543210"
    async with running_gateway(_config(mock, old), data_dir=tmp_path) as gateway:
        async with aiohttp.ClientSession() as session:
            await AdminClient(session, gateway.url, MASTER_KEY).ok("/model/new", body(mock, "kept"))

    # Restarted with another secret: the row is skipped (logged by key id), the rest serves.
    caplog.set_level(logging.ERROR, logger="lockgate.keys.deployment_store")
    async with running_gateway(_config(mock, new), data_dir=tmp_path) as gateway:
        await _callable_within(gateway, "gpt-4o-mini", True, 1.0)
        await _callable_within(gateway, "kept", False, 0.5)
        async with aiohttp.ClientSession() as session:
            admin = AdminClient(session, gateway.url, MASTER_KEY)
            info = await admin.read("/model/info")
            assert "kept" not in {d["model_name"] for d in info["data"]}
            (ident,) = [
                r.args[0]
                for r in caplog.records
                if "skipped" in r.getMessage()  # type: ignore[index]
            ]
            status, answer = await admin.post(
                "/model/update", {"model_info": {"id": ident}, "litellm_params": {"rpm": 5}}
            )
            assert status == 400 and CredentialCipher(Secret(old)).key_id in str(answer)
    (record,) = [r for r in caplog.records if "skipped" in r.getMessage()]
    message = record.getMessage()
    assert CredentialCipher(Secret(old)).key_id in message
    assert "rotate-encryption" in message and UPSTREAM_SECRET not in caplog.text

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lockgate",
        "keys",
        "rotate-encryption",
        "--data-dir",
        str(tmp_path),
        env={**os.environ, "LOCKGATE_SALT_KEY": new, "LOCKGATE_OLD_SALT_KEY": old},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err
    assert b"re-encrypted 1 deployment row(s)" in out

    async with running_gateway(_config(mock, new), data_dir=tmp_path) as gateway:
        await _callable_within(gateway, "kept", True, 1.0)
    assert mock.requests[-1]["headers"]["authorization"] == f"Bearer {UPSTREAM_SECRET}"
