"""`lockgate serve --workers N`: the workers load while `lockgate verify` runs, and serve only
once it passes; a failing verdict stops them before the port is ever bound. The workers are
forked from one process that imported the gateway once, and a SIGHUP restart still serves."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from lockgate.gateway.worker_pool import VerdictBoard, await_verdict
from lockgate.mock import MockServer
from tests.cli.test_serve_process import (
    chat,
    close,
    free_port,
    gateway_process,
    wait_ready,
    write_config,
)

# Run as the supervisor process: `lockgate verify` made to fail (after waiting until a worker
# has read the store, so the test knows the workers loaded before the verdict), noting what
# it saw when it was asked.
FAILING_SUPERVISOR = """
import json, socket, sys, time
from pathlib import Path
from lockgate.security import integrity
from lockgate.security.integrity.report import Finding, Report
from lockgate.cli.main import main

port, data_dir, notes = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])

class FailingScan:
    def __init__(self, scan):
        pass

    def report(self):
        deadline = time.monotonic() + 30
        while not (data_dir / "lockgate.db").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        with socket.socket() as probe:
            listening = probe.connect_ex(("127.0.0.1", port)) == 0
        store_read = (data_dir / "lockgate.db").exists()
        notes.write_text(json.dumps({"listening": listening, "store_read": store_read}))
        return Report(findings=(Finding("record", "modified", "/site/x.py", "sha256 differs"),))

    def close(self):
        pass

integrity.RunningScan = FailingScan
argv = ["serve", "--config", str(data_dir / "config.yaml"), "--workers", "2"]
sys.exit(main(argv + ["--port", str(port), "--data-dir", str(data_dir)]))
"""


def test_a_refused_verdict_stops_the_workers_before_the_port_is_bound(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/m\n"
        "      api_key: sk-x\n"
    )
    port, notes = free_port(), tmp_path / "notes.json"
    argv = [sys.executable, "-c", FAILING_SUPERVISOR, str(port), str(tmp_path), str(notes)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    accepted: list[bool] = []

    def probe_until_exit() -> None:  # the port must never accept, at any moment
        while process.poll() is None:
            with socket.socket() as probe:
                accepted.append(probe.connect_ex(("127.0.0.1", port)) == 0)
            time.sleep(0.01)

    prober = threading.Thread(target=probe_until_exit)
    prober.start()
    try:
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
        prober.join()
    assert process.returncode == 1, err
    assert "FAIL record/modified: /site/x.py" in err and "refusing to serve" in err
    # The workers had loaded (a worker read the store) when the verdict was asked for.
    assert json.loads(notes.read_text()) == {"listening": False, "store_read": True}
    assert accepted and not any(accepted)
    assert "lockgate gateway on" not in out  # no banner, no key shown
    assert not (tmp_path / "master_key").exists()


async def _ready(process: asyncio.subprocess.Process, url: str) -> None:
    """`wait_ready`, saying what the gateway printed when it does not become ready."""
    try:
        await wait_ready(url, timeout=20)
    except AssertionError:
        process.kill()
        _, err = await process.communicate()
        raise AssertionError(f"not ready; stderr ends:\n{err.decode()[-3000:]}") from None


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def _command(pid: int) -> str:
    return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()


async def _all_served(url: str, count: int) -> list[int]:
    statuses = []
    for _ in range(count):
        response = await chat(url)
        statuses.append(response.status)
        await close(response)
    return statuses


async def test_workers_are_forked_from_one_import_and_survive_a_sighup(
    tmp_path: Path, mock: MockServer
) -> None:
    write_config(tmp_path / "config.yaml", mock.url)
    async with gateway_process(
        ["serve", "--config", "config.yaml", "--workers", "2"], tmp_path
    ) as (process, url):
        await _ready(process, url)
        assert await _all_served(url, 4) == [200] * 4
        forkservers = [c for c in _children(process.pid) if "forkserver" in _command(c)]
        assert len(forkservers) == 1
        workers = set(_children(forkservers[0]))
        assert len(workers) == 2

        process.send_signal(signal.SIGHUP)  # uvicorn's supervisor replaces them one by one
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            replaced = set(_children(forkservers[0]))
            if len(replaced) == 2 and not replaced & workers:
                break
            await asyncio.sleep(0.1)
        assert len(replaced) == 2 and not replaced & workers  # new workers, the verdict kept
        assert await _all_served(url, 4) == [200] * 4
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) in (0, -signal.SIGTERM)


def test_a_worker_waits_for_the_verdict(tmp_path: Path) -> None:
    board = VerdictBoard()
    try:
        answers: list[bool] = []
        waiting = threading.Thread(target=lambda: answers.append(await_verdict(board.path, _yes)))
        waiting.start()
        time.sleep(0.1)
        assert answers == []  # no verdict yet: still waiting
        board.publish(True)
        waiting.join(5)
        assert answers == [True]
        board.publish(False)
        assert await_verdict(board.path, _yes) is False
        assert oct(board.path.parent.stat().st_mode & 0o777) == "0o700"
    finally:
        board.close()
    assert not board.path.parent.exists()


def test_a_worker_stops_waiting_when_the_supervisor_is_gone(tmp_path: Path) -> None:
    assert await_verdict(tmp_path / "never-given", lambda: False) is False


def _yes() -> bool:
    return True


def test_the_supervisor_does_not_import_the_gateway(tmp_path: Path) -> None:
    """What made the supervisor slow to start its workers: 0.9 s importing the gateway it
    does not run."""
    code = (
        "import sys; import lockgate.cli.serve_command, lockgate.gateway.server,"
        " lockgate.gateway.worker_pool, lockgate.config.launch;"
        " print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'lockgate.keys',"
        " 'lockgate.gateway.runtime', 'lockgate.gateway.app'))))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert shown.stdout.strip() == "[]", shown.stderr


async def test_workers_stop_when_the_supervisor_is_killed(tmp_path: Path, mock: MockServer) -> None:
    """A SIGKILLed supervisor runs no clean-up: its workers notice and shut down, and the
    port is free for the next start."""
    write_config(tmp_path / "config.yaml", mock.url)
    async with gateway_process(
        ["serve", "--config", "config.yaml", "--workers", "2"], tmp_path
    ) as (process, url):
        await _ready(process, url)
        (forkserver,) = [c for c in _children(process.pid) if "forkserver" in _command(c)]
        workers = _children(forkserver)
        assert len(workers) == 2
        process.kill()
        await process.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_running(w) for w in [forkserver, *workers]):
            await asyncio.sleep(0.05)
        assert not any(_running(w) for w in [forkserver, *workers])
        port = int(url.rsplit(":", 1)[1])
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0


def _running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_port_in_use_stops_the_workers_with_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/m\n"
        "      api_key: sk-x\ngeneral_settings:\n  master_key: sk-port-test\n"
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = ["serve", "--config", "config.yaml", "--workers", "2", "--port", str(port)]
        shown = subprocess.run(
            [sys.executable, "-m", "lockgate", *argv, "--data-dir", str(tmp_path)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert shown.returncode == 1, shown.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in shown.stderr
    assert "Traceback" not in shown.stderr
