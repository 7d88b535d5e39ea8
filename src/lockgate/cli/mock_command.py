"""``lockgate mock``: run the fake provider servers (OpenAI, Anthropic, Gemini wire formats)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "mock",
        help="run fake provider servers for tests, benchmarks and load tests",
        description="Serve OpenAI, Anthropic and Gemini wire formats with scripted behaviour "
        "(see docs/mock.md).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4010, help="port (default 4010)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from lockgate.mock import run_mock_server  # imported here: only this command needs it

    run_mock_server(args.host, args.port)
    return 0
