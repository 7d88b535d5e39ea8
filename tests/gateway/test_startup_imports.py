"""Start-up loads only what serving needs (issues 3 and 6: ready in under 2 s).

A fresh interpreter runs `lockgate serve`'s path up to ready (the CLI, the config, the
verification's parent side, the app, the lifespan start-up with the store and the keys) and
reports which modules it imported; the admin API, the OpenAPI document, the verifier,
Alembic (database already at head), SQLAlchemy's PostgreSQL dialect (SQLite store),
``cryptography`` (no API-added deployments) and OpenTelemetry (tracing off) must not be
among them. Each is loaded on first use instead.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import subprocess
import sys
from pathlib import Path

from lockgate.gateway.routes.admin import ADMIN_ROUTES, LazyHandler, admin_prefix_routes

PROBE = r"""
import asyncio, json, os, sys
config, data_dir = sys.argv[1], sys.argv[2]
from lockgate.cli.main import build_parser
from lockgate.cli import verify_command
from lockgate.config.launch import LaunchSpec
from lockgate.gateway.runtime import GatewayRuntime
from lockgate.gateway.server import run_server  # noqa: F401
from lockgate.security.integrity import IsolatedScan, RunningScan  # noqa: F401

build_parser()
verify_command._lock_sets([])
runtime = GatewayRuntime(
    LaunchSpec(config_path=config, model=None, data_dir=data_dir), os.environ, handle_sighup=False
)
app = runtime.build_app()


async def start() -> None:
    sent = []
    inbox = [{"type": "lifespan.startup"}]

    async def receive():
        if inbox:
            return inbox.pop()
        await asyncio.Event().wait()

    async def send(message):
        sent.append(message)

    task = asyncio.ensure_future(app({"type": "lifespan"}, receive, send))
    while not sent:
        await asyncio.sleep(0.01)
    assert sent[0]["type"] == "lifespan.startup.complete", sent
    task.cancel()
    await app.state.control.aclose()


asyncio.run(start())
print(json.dumps(sorted(sys.modules)))
"""

CONFIG = """\
model_list:
  - model_name: gpt-4o-mini
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: http://127.0.0.1:9/v1
      api_key: sk-upstream
general_settings:
  master_key: sk-master-startup-test
"""

NOT_AT_START = (
    "lockgate.gateway.routes.admin.keys",
    "lockgate.gateway.routes.admin.models",
    "lockgate.gateway.routes.admin.customers",
    "lockgate.gateway.openapi",
    "lockgate.security.integrity.verifier",
    "lockgate.spend.engine_sink",
    "sqlalchemy.dialects.postgresql",
    "cryptography",
    "alembic",
    "opentelemetry",
)


def _modules_at_ready(tmp_path: Path) -> set[str]:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG)
    argv = [sys.executable, "-c", PROBE, str(config), str(tmp_path / "data")]
    # The first start creates the database (Alembic); the second finds it at head.
    subprocess.run(argv, capture_output=True, check=True, timeout=120)
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=120)
    modules: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return set(modules)


def test_serving_starts_without_the_modules_only_other_paths_need(tmp_path: Path) -> None:
    modules = _modules_at_ready(tmp_path)
    # Control: the probe did reach ready with the store, the keys and the router loaded.
    assert {"lockgate.keys.loader", "lockgate.router.router", "sqlalchemy"} <= modules
    loaded = sorted(name for name in NOT_AT_START if name in modules)
    assert loaded == [], f"imported at start-up: {loaded}"


def test_every_admin_handler_resolves_to_its_coroutine() -> None:
    handlers = [handler for _, _, handler in ADMIN_ROUTES.values()]
    handlers += [route.handler for route in admin_prefix_routes().values()]
    for handler in handlers:
        assert isinstance(handler, LazyHandler)
        resolved = handler.resolve()
        assert inspect.iscoroutinefunction(resolved), (handler.module, handler.name)
        assert resolved.__name__ == handler.name
        assert resolved.__module__ == f"lockgate.gateway.routes.admin.{handler.module}"
        assert handler.resolve() is resolved  # imported once


def test_a_lazy_handler_passes_the_exchange_through() -> None:
    seen: list[object] = []

    async def handler(exchange: object) -> None:
        seen.append(exchange)

    lazy = LazyHandler("keys", "generate_key")
    lazy._handler = handler  # type: ignore[assignment]
    marker = object()
    asyncio.run(lazy(marker))  # type: ignore[arg-type]
    assert seen == [marker]
