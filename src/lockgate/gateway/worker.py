"""The app factory each worker process calls (``lockgate serve --workers N``)."""

from __future__ import annotations

import os

from lockgate.config.launch import launch_from_environment
from lockgate.gateway.app import GatewayApp
from lockgate.gateway.runtime import GatewayRuntime
from lockgate.gateway.server import tune_garbage_collector

__all__ = ["create_worker_app"]


def create_worker_app() -> GatewayApp:
    # SIGHUP goes to the supervisor, which restarts workers one by one.
    runtime = GatewayRuntime(launch_from_environment(), os.environ, handle_sighup=False)
    app = runtime.build_app()
    tune_garbage_collector()
    return app
