"""The servers a benchmark measures, each a subprocess on its own loopback port.

`direct` is the upstream itself (nginx, or the mock when nginx is absent), `thin` the
aiohttp pass-through, `lockgate` the gateway under `lockgate serve`, `litellm` LiteLLM's proxy
from a throwaway venv. Every one is a `Target`: how to start it, where it is ready, where
to send chat requests and with which headers and model.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lockgate.bench.bench_config import MODEL
from lockgate.bench.canned import MASTER_KEY, UPSTREAM_KEY
from lockgate.bench.processes import ManagedProcess
from lockgate.bench.results import DIRECT, GATEWAY, LITELLM, THIN
from lockgate.bench.upstream_nginx import nginx_process

__all__ = [
    "Target",
    "gateway_target",
    "litellm_target",
    "mock_process",
    "mock_target",
    "nginx_target",
    "thin_target",
]

_LOOPBACK = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    description: str
    process: ManagedProcess
    port: int
    ready_path: str
    chat_path: str = "/v1/chat/completions"
    model: str = MODEL
    headers: Mapping[str, str] = field(default_factory=dict)
    ready_timeout_s: float = 30.0

    def url(self, path: str) -> str:
        return f"http://{_LOOPBACK}:{self.port}{path}"

    @property
    def chat_url(self) -> str:
        return self.url(self.chat_path)

    @property
    def ready_url(self) -> str:
        return self.url(self.ready_path)


def _json_headers(key: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}


def mock_process(workdir: Path, port: int) -> ManagedProcess:
    """The mock on `port` (its own process, so it does not share the client's CPU)."""
    argv = [sys.executable, "-m", "lockgate.bench.mock_upstream", "--host", _LOOPBACK]
    argv += ["--port", str(port)]
    return ManagedProcess("mock upstream", argv, workdir / f"mock-{port}.log")


def nginx_target(binary: str, workdir: Path, port: int) -> Target:
    prefix = workdir / "nginx"
    prefix.mkdir(exist_ok=True)
    return Target(
        name=DIRECT,
        description="nginx 1 worker returning a canned chat completion (the upstream itself)",
        process=nginx_process(binary, prefix, port),
        port=port,
        ready_path="/health",
        model="gpt-4o-mini",
        headers=_json_headers(UPSTREAM_KEY),
    )


def mock_target(workdir: Path, port: int) -> Target:
    return Target(
        name=DIRECT,
        description="the built-in mock (aiohttp; nginx was not found), the upstream itself",
        process=mock_process(workdir, port),
        port=port,
        ready_path="/__mock/health",
        model="gpt-4o-mini",
        headers=_json_headers(UPSTREAM_KEY),
    )


def thin_target(workdir: Path, port: int, upstream_chat_url: str, processes: int = 1) -> Target:
    argv = [
        sys.executable,
        "-m",
        "lockgate.bench.thin_proxy",
        "--host",
        _LOOPBACK,
        "--port",
        str(port),
        "--upstream",
        upstream_chat_url,
        "--processes",
        str(processes),
    ]
    return Target(
        name=THIN,
        description=(
            "thinnest aiohttp pass-through: one pooled ClientSession, bytes in, bytes out"
            + (f"; {processes} processes sharing the port" if processes > 1 else "")
        ),
        process=ManagedProcess("thin pass-through", argv, workdir / "thin.log"),
        port=port,
        ready_path="/health",
        model="gpt-4o-mini",
        headers=_json_headers(UPSTREAM_KEY),
    )


def gateway_target(
    workdir: Path,
    port: int,
    config: Path,
    workers: int,
    profile_path: str | None = None,
    *,
    name: str = GATEWAY,
    data_dir: Path | None = None,
    calling_key: str | None = None,
    auth: str = "master-key auth",
) -> Target:
    """`lockgate serve`; with `profile_path`, under cProfile (stats written when it stops).
    Requests carry `calling_key` (a seeded virtual key), else the master key."""
    profiler = [] if profile_path is None else ["-m", "cProfile", "-o", profile_path]
    argv = [
        sys.executable,
        *profiler,
        "-m",
        "lockgate",
        "serve",
        "--config",
        str(config),
        "--host",
        _LOOPBACK,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--data-dir",
        str(data_dir or workdir / "lockgate-data"),
    ]
    return Target(
        name=name,
        description=f"`lockgate serve`, {workers} worker(s), {auth}, metrics on"
        + ("" if profile_path is None else " (under cProfile: slower than normal)"),
        # uvicorn re-raises the signal it stopped on; only after SIGINT (KeyboardInterrupt)
        # does cProfile still get to write its stats.
        process=ManagedProcess(
            "lockgate gateway" if name == GATEWAY else f"lockgate gateway {name}",
            argv,
            workdir / f"{name}.log",
            stop_signal=signal.SIGTERM if profile_path is None else signal.SIGINT,
        ),
        port=port,
        ready_path="/health/readiness",
        headers=_json_headers(calling_key or MASTER_KEY),
        # Start-up with many keys, under a busy machine, may take longer than usual.
        ready_timeout_s=120.0,
    )


def litellm_target(
    executable: Path, version: str, workdir: Path, port: int, config: Path, workers: int
) -> Target:
    argv = [str(executable), "--config", str(config), "--host", _LOOPBACK, "--port", str(port)]
    if workers > 1:
        argv += ["--num_workers", str(workers)]
    env = {
        **os.environ,
        # No download of the model price map at start, no telemetry, quiet logs.
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
        "LITELLM_LOG": "ERROR",
    }
    return Target(
        name=LITELLM,
        description=f"LiteLLM proxy {version}, {workers} worker(s), same config",
        process=ManagedProcess("litellm proxy", argv, workdir / "litellm.log", env=env),
        port=port,
        ready_path="/health/readiness",
        headers=_json_headers(MASTER_KEY),
        ready_timeout_s=180.0,
    )
