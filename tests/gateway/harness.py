"""Start the real gateway (uvicorn's server with lockgate's HTTP/1.1 protocol) on loopback
inside the test's event loop."""

from __future__ import annotations

import asyncio
import io
import socket
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from lockgate.config import Config, parse_config
from lockgate.gateway.app import GatewayApp
from lockgate.gateway.control_plane import ControlPlane
from lockgate.gateway.factory import create_app
from lockgate.gateway.h1_protocol import GatewayHttpProtocol
from lockgate.gateway.state import build_state
from lockgate.observability import AccessLog
from lockgate.security import Secret

if TYPE_CHECKING:  # a gateway without tracing must not load opentelemetry
    from opentelemetry.sdk.trace import SpanProcessor

MASTER_KEY = "sk-master-test-7f3a9c"


@dataclass
class RunningGateway:
    url: str
    app: GatewayApp
    log: io.StringIO
    server: uvicorn.Server

    @property
    def openai_base(self) -> str:
        return self.url + "/v1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config_for_mock(
    mock_url: str, extra: str = "", models: tuple[str, ...] = ("gpt-4o-mini",)
) -> Config:
    lines = ["model_list:"]
    for name in models:
        lines += [
            f"  - model_name: {name}",
            "    litellm_params:",
            f"      model: openai/{name}",
            f"      api_base: {mock_url}/v1",
            "      api_key: sk-upstream-secret-1234",
        ]
    return parse_config("\n".join(lines) + "\n" + extra, source="<test>", env={})


@asynccontextmanager
async def running_gateway(
    config: Config,
    *,
    graceful_seconds: int = 5,
    data_dir: Path | None = None,
    control: bool = True,
    span_processors: Sequence[SpanProcessor] | None = None,
    keep_alive_seconds: int = 5,
) -> AsyncIterator[RunningGateway]:
    """The gateway on a free port. With ``control`` (the default), virtual keys, limits and
    spend logs are on: the config's database_url, else SQLite in ``data_dir`` (default: a
    temporary folder removed afterwards). ``span_processors`` receive the spans when the
    config turns tracing on (``callbacks: [otel]``) instead of the configured exporter."""
    with tempfile.TemporaryDirectory(prefix="lockgate-test-") as tmp:
        folder = data_dir or Path(tmp)
        plane = ControlPlane(config, folder) if control else None
        async with _serve(
            config, plane, graceful_seconds, span_processors, keep_alive_seconds
        ) as running:
            yield running


@asynccontextmanager
async def _serve(
    config: Config,
    plane: ControlPlane | None,
    graceful_seconds: int,
    span_processors: Sequence[SpanProcessor] | None,
    keep_alive_seconds: int,
) -> AsyncIterator[RunningGateway]:
    log = io.StringIO()
    state = build_state(config, master_key=Secret(MASTER_KEY), control=plane)
    app = create_app(state, access_log=AccessLog(log), span_processors=span_processors)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,  # type: ignore[arg-type]
            host="127.0.0.1",
            port=port,
            loop="none",
            http=GatewayHttpProtocol,
            lifespan="on",
            log_level="warning",
            access_log=False,
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=graceful_seconds,
            timeout_keep_alive=keep_alive_seconds,
        )
    )
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError(f"the gateway did not start: {log.getvalue()[-500:]}")
        await asyncio.sleep(0.01)
    try:
        yield RunningGateway(f"http://127.0.0.1:{port}", app, log, server)
    finally:
        server.should_exit = True
        await task
