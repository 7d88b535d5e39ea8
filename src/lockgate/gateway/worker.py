"""The app factory each worker process calls (``lockgate serve --workers N``)."""

from __future__ import annotations

import os
from pathlib import Path

from lockgate.config.launch import launch_from_environment
from lockgate.gateway.app import GatewayApp
from lockgate.gateway.runtime import GatewayRuntime, ServingGate
from lockgate.gateway.server import tune_garbage_collector
from lockgate.gateway.worker_pool import (
    VERDICT_VARIABLE,
    await_verdict,
    stop_when_the_supervisor_dies,
    supervisor_alive,
)

__all__ = ["create_worker_app"]


def _serving_gate() -> ServingGate | None:
    """The supervisor's verdict (`worker_pool`), when it gives one."""
    verdict = os.environ.get(VERDICT_VARIABLE)
    if not verdict:
        return None
    alive = supervisor_alive()
    return lambda: await_verdict(Path(verdict), alive)


def create_worker_app() -> GatewayApp:
    # SIGHUP goes to the supervisor, which restarts workers one by one.
    runtime = GatewayRuntime(
        launch_from_environment(),
        os.environ,
        handle_sighup=False,
        before_serving=_serving_gate(),
    )
    app = runtime.build_app()
    tune_garbage_collector()
    stop_when_the_supervisor_dies()
    return app
