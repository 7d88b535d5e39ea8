"""`lockgate serve` picks its memory allocator before its interpreter starts: it re-executes
itself once with ``PYTHONMALLOC=malloc`` (same pid), unless told otherwise or the operator
set ``PYTHONMALLOC`` themselves."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from lockgate.cli.allocator import AllocatorError, reexec_command, resolve
from lockgate.mock import MockServer
from tests.cli.test_serve_process import chat, close, gateway_process, wait_ready, write_config


def test_the_flag_wins_over_the_environment_and_malloc_is_the_default() -> None:
    assert resolve(None, {}) == "malloc"
    assert resolve(None, {"LOCKGATE_ALLOCATOR": "pymalloc"}) == "pymalloc"
    assert resolve("malloc", {"LOCKGATE_ALLOCATOR": "pymalloc"}) == "malloc"


def test_an_unknown_allocator_is_named_in_the_error() -> None:
    with pytest.raises(AllocatorError, match=r"--allocator must be one of malloc, pymalloc"):
        resolve("jemalloc", {})
    with pytest.raises(AllocatorError, match=r"LOCKGATE_ALLOCATOR .*'mimalloc'"):
        resolve(None, {"LOCKGATE_ALLOCATOR": "mimalloc"})


def test_the_same_command_is_run_again_with_the_variable_set() -> None:
    argv = ["/venv/bin/python", "-X", "importtime", "-m", "lockgate", "serve", "--port", "1"]
    command = reexec_command("malloc", {"HOME": "/root"}, argv)
    assert command == (argv, {"HOME": "/root", "PYTHONMALLOC": "malloc"})
    assert command[0] is not argv  # a copy


def test_nothing_is_run_again_when_not_needed() -> None:
    argv = ["python", "-m", "lockgate", "serve"]
    assert reexec_command("pymalloc", {}, argv) is None
    # The operator's own setting is kept, whatever lockgate would have chosen.
    assert reexec_command("malloc", {"PYTHONMALLOC": "pymalloc"}, argv) is None
    assert reexec_command("malloc", {"PYTHONMALLOC": "malloc"}, argv) is None


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = [item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item]
    return {name.decode(): value.decode() for name, value in pairs}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    ("args", "environ", "expected"),
    [
        ([], {}, "malloc"),
        (["--allocator", "pymalloc"], {}, None),
        ([], {"LOCKGATE_ALLOCATOR": "pymalloc"}, None),
        (["--allocator", "malloc"], {"PYTHONMALLOC": "pymalloc"}, "pymalloc"),
    ],
)
async def test_the_served_process_runs_on_the_allocator_asked_for(
    tmp_path: Path,
    mock: MockServer,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    environ: dict[str, str],
    expected: str | None,
) -> None:
    monkeypatch.delenv("PYTHONMALLOC", raising=False)
    monkeypatch.delenv("LOCKGATE_ALLOCATOR", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    write_config(tmp_path / "config.yaml", mock.url)
    async with gateway_process(["--config", "config.yaml", *args], tmp_path) as (process, url):
        await wait_ready(url)
        # The process that answers is the one started (execve keeps the pid).
        assert environment_of(process.pid).get("PYTHONMALLOC") == expected
        response = await chat(url)
        assert response.status == 200
        await close(response)


@pytest.mark.parametrize(
    ("args", "environ", "message"),
    [
        (["--allocator", "tcmalloc"], {}, b"invalid choice: 'tcmalloc'"),
        ([], {"LOCKGATE_ALLOCATOR": "mimalloc"}, b"LOCKGATE_ALLOCATOR must be one of"),
    ],
)
async def test_a_bad_allocator_stops_serve_with_a_clear_message(
    tmp_path: Path, args: list[str], environ: dict[str, str], message: bytes
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lockgate",
        "serve",
        "--port",
        "1",
        *args,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **environ},
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert message in stderr and b"Traceback" not in stderr
    assert not (tmp_path / ".lockgate").exists()  # stopped before anything was written
