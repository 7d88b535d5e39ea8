"""``lockgate serve``: start the gateway (also ``lockgate --config F`` / ``--model M``)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "serve",
        help="start the gateway",
        description="Start the OpenAI- and Anthropic-compatible gateway. Without --config or "
        "--model it serves a demo config whose models answer from the built-in mock provider.",
    )
    parser.add_argument("--config", "-c", help="LiteLLM-style YAML config file")
    parser.add_argument("--model", "-m", help="serve one model, e.g. openai/gpt-4o-mini")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", "-p", type=int, default=4000, help="port (default 4000)")
    parser.add_argument("--workers", "-w", type=int, default=1, help="worker processes")
    parser.add_argument("--data-dir", default=".lockgate", help="local data folder")
    parser.add_argument("--log-level", default="warning", help="server log level")
    parser.add_argument(
        "--graceful-shutdown", type=float, default=30.0, help="seconds to finish on SIGTERM"
    )
    # issue 7: `lockgate verify` runs before serving; this flag serves despite a failure.
    parser.add_argument(
        "--allow-unverified",
        action="store_true",
        help="serve even if `lockgate verify` fails (the failure is still printed)",
    )
    parser.add_argument(
        "--allocator",
        choices=("malloc", "pymalloc"),
        default=None,
        help="memory allocator: malloc (default) returns memory after bursts, pymalloc "
        "(CPython's own) is about 9 %% cheaper per request; also LOCKGATE_ALLOCATOR",
    )
    parser.set_defaults(handler=run)


def _banner(host: str, port: int, key: str | None, models: list[str]) -> str:
    base = f"http://{host}:{port}"
    shown_key = key or "<your master key>"
    model = models[0] if models else "demo"
    body = f'{{"model": "{model}", "messages": [{{"role": "user", "content": "Hello"}}]}}'
    lines = [f"lockgate gateway on {base}  (models: {', '.join(models) or 'none'})"]
    if key:
        lines.append(f"master key (shown once, kept in the data folder): {key}")
    lines += [
        "try it:",
        f"  curl {base}/v1/chat/completions -H 'Authorization: Bearer {shown_key}' \\",
        f"    -H 'Content-Type: application/json' -d '{body}'",
        "  python - <<'EOF'",
        "from openai import OpenAI",
        f'client = OpenAI(base_url="{base}/v1", api_key="{shown_key}")',
        f'reply = client.chat.completions.create(model="{model}", '
        'messages=[{"role": "user", "content": "Hi"}])',
        "print(reply.choices[0].message.content)",
        "EOF",
    ]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    # First, before anything is loaded: the process may replace itself with itself on the
    # allocator asked for (lockgate/cli/allocator.py).
    from lockgate.cli.allocator import AllocatorError, resolve, switch_allocator

    try:
        allocator = resolve(args.allocator, os.environ)
    except AllocatorError as exc:
        print(f"lockgate: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "process_entry", False):
        switch_allocator(allocator)
    # Start-up allocates much and frees little: the cyclic collector would only rescan a
    # growing heap (about a tenth of start-up). tune_garbage_collector() switches it back
    # on once the app is built; an in-process caller gets its own setting back.
    was_collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_and_serve(args)
    finally:
        if was_collecting:
            gc.enable()


def _load_and_serve(args: argparse.Namespace) -> int:
    # issue 7: `lockgate verify` starts first, in a child process, while this one loads.
    from lockgate.cli.verify_command import StartupVerification

    verification = StartupVerification()
    from lockgate.config import ConfigError
    from lockgate.config.launch import LaunchSpec, launch_config
    from lockgate.gateway.master_key import forget_master_key, load_or_create_master_key
    from lockgate.gateway.server import ServerOptions, run_server

    launch = LaunchSpec(config_path=args.config, model=args.model, data_dir=args.data_dir)
    try:
        # Checked here, before any worker starts; the demo's mock port is not needed yet.
        config = launch_config(launch, os.environ, demo_mock_url="http://127.0.0.1:0")
    except ConfigError as exc:
        verification.close()
        print(f"lockgate: {exc}", file=sys.stderr)
        return 2
    for warning in config.warnings:
        print(f"lockgate: warning: {warning}", file=sys.stderr)
    if args.workers > 1 and config.router.redis_url is None and config.router.redis_host is None:
        print(
            f"lockgate: warning: {args.workers} workers without Redis: each counts rate limits "
            f"and budgets on its own, so together they allow up to {args.workers} times each "
            "limit; set router_settings.redis_url to share them",
            file=sys.stderr,
        )
    new_key: str | None = None
    if config.general.master_key is None:
        # Created here, before any worker starts, so every worker reads the same key.
        key, created = load_or_create_master_key(Path(args.data_dir))
        new_key = key.reveal() if created else None
    banner = _banner(
        args.host, args.port, new_key, sorted({d.model_name for d in config.model_list})
    )

    def gate() -> bool:
        # issue 7: the verdict is awaited as late as possible (just before the port is
        # bound), so the check runs while the gateway loads its config, store and keys.
        if verification.allows_serving(allow_unverified=args.allow_unverified):
            print(banner, flush=True)
            return True
        if new_key is not None:
            forget_master_key(Path(args.data_dir))
        return False

    options = ServerOptions(
        host=args.host,
        port=args.port,
        workers=args.workers,
        graceful_shutdown_seconds=args.graceful_shutdown,
        log_level=args.log_level,
    )
    try:
        return run_server(launch, options, gate)
    finally:
        verification.close()
