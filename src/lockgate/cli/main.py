"""The ``lockgate`` command: dispatch to one small module per sub-command.

LiteLLM's forms (``lockgate --config FILE --port N``, ``lockgate --model M``) are read as
``lockgate serve ...`` so existing start scripts keep working.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lockgate._version import __version__
from lockgate.cli import (
    bench_command,
    db_command,
    keys_command,
    mock_command,
    models_command,
    sbom_command,
    serve_command,
    verify_command,
)

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lockgate",
        description="One interface to every major LLM provider: SDK and gateway.",
    )
    parser.add_argument("--version", action="version", version=f"lockgate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve_command.register(commands)
    mock_command.register(commands)
    models_command.register(commands)
    bench_command.register(commands)
    verify_command.register(commands)
    sbom_command.register(commands)
    db_command.register(commands)
    keys_command.register(commands)
    return parser


def _litellm_form(argv: list[str]) -> list[str]:
    """``lockgate --config F`` / ``lockgate --model M`` → ``lockgate serve ...``."""
    if argv and argv[0].startswith("--") and argv[0] not in ("--version", "--help", "-h"):
        return ["serve", *argv]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    args_list = _litellm_form(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args = parser.parse_args(args_list)
    # Whether these are the process's own arguments (a command may then re-execute it).
    args.process_entry = argv is None
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    result: int = handler(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
