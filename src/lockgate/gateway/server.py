"""Run the gateway under uvicorn's server loop (uvloop) with lockgate's own HTTP/1.1
connection protocol (httptools), one process or several workers."""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lockgate.config.launch import LaunchSpec

if TYPE_CHECKING:
    from lockgate.gateway.runtime import ServingGate

__all__ = ["ServerOptions", "run_server"]

# By name: a worker supervisor passes it on without importing the gateway.
_HTTP_PROTOCOL = "lockgate.gateway.h1_protocol:GatewayHttpProtocol"


def _always() -> bool:
    return True


@dataclass(frozen=True, slots=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 4000
    workers: int = 1
    # SIGTERM: stop accepting, let requests and streams in flight finish for this long.
    graceful_shutdown_seconds: float = 30.0
    log_level: str = "warning"


def _uvicorn_kwargs(options: ServerOptions) -> dict[str, object]:
    return {
        "host": options.host,
        "port": options.port,
        "loop": "uvloop",
        "http": _HTTP_PROTOCOL,
        "lifespan": "on",
        "access_log": False,  # lockgate writes its own structured access log
        "server_header": False,
        "proxy_headers": False,  # client addresses are not used; skip the middleware
        "timeout_graceful_shutdown": int(options.graceful_shutdown_seconds),
        "timeout_keep_alive": 30,
        "log_level": options.log_level,
    }


def tune_garbage_collector() -> None:
    """Called once the app is built: objects made at startup (config, tables, routes) move
    to the permanent generation, and young collections run less often. Requests allocate
    many short-lived objects; with the defaults the collector took ~10-15 % of CPU.

    Nothing is collected first: at this point a collection finds under a thousand
    unreachable objects among ~175,000 and took 0.1 s of start-up; frozen with the rest,
    they keep about 0.4 MB for the process's life."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    gc.enable()  # `lockgate serve` loads with the collector off


def run_server(launch: LaunchSpec, options: ServerOptions, gate: ServingGate = _always) -> int:
    """Serve until stopped; the exit status. `gate` is asked once, and the port is bound
    only if it says yes. With one worker it is asked after the app is built and its store
    read (keys loaded); with several, while the workers start (`worker_pool`). Either way
    whatever the gate waits for runs alongside the loading."""
    if options.workers <= 1:
        import uvicorn

        from lockgate.gateway.runtime import GatewayRuntime

        runtime = GatewayRuntime(launch, os.environ, before_serving=gate)
        app = runtime.build_app()
        tune_garbage_collector()
        server = uvicorn.Server(uvicorn.Config(app, **_uvicorn_kwargs(options)))  # type: ignore[arg-type]
        try:
            server.run()
        except SystemExit:  # uvicorn ends a failed start-up this way (status 3)
            if runtime.refused:
                return 1  # the gate said no; it has said why
            raise
        return 0
    gc.enable()  # the supervisor: `lockgate serve` loaded with the collector off
    # Worker processes are spawned fresh and rebuild the app from these variables.
    os.environ.update(launch.as_environment())
    from lockgate.gateway.worker_pool import run_workers  # uvicorn's supervisor, no gateway

    return run_workers(
        "lockgate.gateway.worker:create_worker_app",
        options.workers,
        _uvicorn_kwargs(options),
        gate,
    )
