"""How `lockgate serve` starts: the collector off while it loads, and a warning when several
workers run without Redis to share limits and budgets."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest

from lockgate.cli.main import main

MODELS = "model_list:\n  - model_name: m\n    litellm_params: {model: openai/m, api_key: sk-x}\n"
WARNING = "without Redis: each counts rate limits and budgets on its own"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Worker counts `run_server` was started with (the server itself is not run)."""
    from lockgate.gateway import server

    workers: list[int] = []

    def run_server(launch: object, options: server.ServerOptions, gate: Callable[[], bool]) -> int:
        workers.append(options.workers)
        return 0

    monkeypatch.setattr(server, "run_server", run_server)
    return workers


@pytest.mark.parametrize(
    ("workers", "extra", "warned"),
    [
        ("2", "", True),
        ("1", "", False),
        ("2", "router_settings:\n  redis_url: redis://127.0.0.1:6379/0\n", False),
    ],
)
def test_several_workers_without_redis_are_warned_about(
    started: list[int],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    workers: str,
    extra: str,
    warned: bool,
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(MODELS + "general_settings: {master_key: sk-test}\n" + extra)
    argv = ["serve", "--config", str(config), "--workers", workers, "--data-dir", str(tmp_path)]
    assert main(argv) == 0
    assert started == [int(workers)]
    assert (WARNING in capsys.readouterr().err) is warned


def test_serve_loads_with_the_collector_off_and_turns_it_back_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Start-up runs with the cyclic collector off (it only rescans a growing heap); the
    server switches it back on once the app is built (`tune_garbage_collector`), and an
    in-process caller gets its own setting back."""
    from lockgate.gateway import server

    collecting: list[bool] = []

    def run_server(launch: object, options: object, gate: Callable[[], bool]) -> int:
        collecting.append(gc.isenabled())
        thresholds = gc.get_threshold()
        try:
            server.tune_garbage_collector()
            collecting.append(gc.isenabled())
        finally:
            gc.unfreeze()
            gc.set_threshold(*thresholds)
        gc.disable()  # as if the server had returned with it off: the caller's setting wins
        return 0

    monkeypatch.setattr(server, "run_server", run_server)
    config = tmp_path / "config.yaml"
    config.write_text(MODELS + "general_settings: {master_key: sk-test}\n")
    assert gc.isenabled()
    assert main(["serve", "--config", str(config), "--data-dir", str(tmp_path)]) == 0
    assert collecting == [False, True]
    assert gc.isenabled()
