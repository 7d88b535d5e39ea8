"""`lockgate keys rotate-encryption` as a real process, on SQLite and PostgreSQL: every row
re-encrypted in one transaction, or none (wrong old secret, a row under a third secret)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from lockgate.keys.credential_cipher import CredentialCipher
from lockgate.keys.deployment_store import DeploymentStore, StoredDeployment
from lockgate.keys.server_secret import SALT_KEY_FILE
from lockgate.security.secret import Secret
from lockgate.store import Store, async_database_url, default_sqlite_url
from lockgate.store.admin_tables import ModelDeploymentRow
from tests.servers import postgres_database

OLD, NEW, THIRD = "old-secret-aaaaaaaa", "new-secret-bbbbbbbb", "third-secret-cccccc"
CREDENTIAL = "sk-stored-credential-0f0f0f"


def deployment(ident: str) -> StoredDeployment:
    return StoredDeployment(
        id=ident,
        model_name=f"model-{ident}",
        litellm_params={
            "model": "openai/gpt-4o-mini",
            "api_base": "http://127.0.0.1:9/v1",
            "api_key": f"{CREDENTIAL}-{ident}",
        },
        model_info={},
    )


async def run_cli(*args: str, cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lockgate",
        "keys",
        "rotate-encryption",
        *args,
        cwd=cwd,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def snapshot(store: Store) -> dict[str, tuple[str, str]]:
    rows = await store.find(ModelDeploymentRow)
    return {r.id: (r.params_encrypted, r.encryption_key_id) for r in rows}


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[Store]:
    store = Store.from_url(url)
    try:
        await store.migrate()
        yield store
    finally:
        await store.aclose()


async def check_rotation(
    url: str, cwd: Path, args: tuple[str, ...], old_env: dict[str, str], wrong: tuple[str, ...]
) -> None:
    async with opened(url) as store:
        writer = DeploymentStore(store, CredentialCipher(Secret(OLD)))
        for ident in ("a", "b", "c"):
            await writer.add(deployment(ident))
        await DeploymentStore(store, CredentialCipher(Secret(NEW))).add(deployment("d"))
        before = await snapshot(store)

        # A wrong old secret: refused, nothing changed.
        status, out, err = await run_cli(*args, *wrong, cwd=cwd, env={})
        assert status == 1 and "nothing was changed" in err, (out, err)
        assert await snapshot(store) == before

        # A row under a third secret stops the whole rotation too.
        await DeploymentStore(store, CredentialCipher(Secret(THIRD))).add(deployment("z"))
        with_third = await snapshot(store)
        status, out, err = await run_cli(*args, cwd=cwd, env=old_env)
        assert status == 1 and "deployment z" in err, (out, err)
        assert CredentialCipher(Secret(THIRD)).key_id in err
        assert await snapshot(store) == with_third
        await store.delete(ModelDeploymentRow, "z")

        status, out, err = await run_cli(*args, cwd=cwd, env=old_env)
        assert status == 0, err
        assert "re-encrypted 3 deployment row(s)" in out and "1 already" in out
        assert CREDENTIAL not in out + err
        new = CredentialCipher(Secret(NEW))
        after = await snapshot(store)
        assert {key_id for _, key_id in after.values()} == {new.key_id}
        assert after["d"] == before["d"]  # already current: left as it was
        assert all(after[i][0] != before[i][0] for i in ("a", "b", "c"))
        loaded = await DeploymentStore(store, new).load()
        assert sorted(str(d.params.api_key.reveal()) for d in loaded if d.params.api_key) == [
            f"{CREDENTIAL}-{i}" for i in ("a", "b", "c", "d")
        ]
        # The old secret no longer opens anything.
        assert await DeploymentStore(store, CredentialCipher(Secret(OLD))).load() == []

        # Running it again changes nothing.
        status, out, _ = await run_cli(*args, cwd=cwd, env=old_env)
        assert status == 0 and "re-encrypted 0" in out and "4 already" in out
        assert await snapshot(store) == after


async def test_rotation_on_sqlite_with_the_key_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / SALT_KEY_FILE).write_text(NEW + "\n")
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-old-secret\n")
    await check_rotation(
        default_sqlite_url(data),
        tmp_path,
        ("--data-dir", str(data)),
        {"LOCKGATE_OLD_SALT_KEY": OLD},
        ("--old-salt-key-file", str(wrong)),
    )


@pytest.mark.postgres
async def test_rotation_on_postgresql_with_the_config(tmp_path: Path) -> None:
    async with postgres_database() as database_url:
        config = tmp_path / "config.yaml"
        config.write_text(
            f"general_settings:\n  database_url: {database_url}\n"
            f"lockgate_settings:\n  salt_key: {NEW}\n"
        )
        old_file, wrong = tmp_path / "old", tmp_path / "wrong"
        old_file.write_text(OLD)
        wrong.write_text("not-the-old-secret")
        # --old-salt-key-file is given per run: the "old_env" here is that option.
        await check_rotation(
            async_database_url(database_url),
            tmp_path,
            ("--config", str(config)),
            {"LOCKGATE_OLD_SALT_KEY": OLD},
            ("--old-salt-key-file", str(wrong)),
        )
        status, out, err = await run_cli(
            "--config", str(config), "--old-salt-key-file", str(old_file), cwd=tmp_path, env={}
        )
        assert status == 0 and "4 already" in out, err


async def test_no_old_secret_and_no_current_secret_are_clear_errors(tmp_path: Path) -> None:
    env = {"LOCKGATE_OLD_SALT_KEY": "", "LOCKGATE_SALT_KEY": "", "LITELLM_SALT_KEY": ""}
    status, _, err = await run_cli("--data-dir", str(tmp_path), cwd=tmp_path, env=env)
    assert status == 1 and "--old-salt-key-file" in err
    status, _, err = await run_cli(
        "--data-dir", str(tmp_path), cwd=tmp_path, env={**env, "LOCKGATE_OLD_SALT_KEY": OLD}
    )
    assert status == 1 and "no current server secret" in err
    assert not (tmp_path / SALT_KEY_FILE).exists()  # never made up here
