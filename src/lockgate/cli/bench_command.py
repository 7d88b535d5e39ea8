"""``lockgate bench``: measure the gateway against a thin pass-through and the direct upstream."""

from __future__ import annotations

import argparse
import re
import shlex
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = ["register"]


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "bench",
        help="benchmark the gateway against a thin pass-through and the direct upstream",
        description="Start an upstream (nginx with a canned reply, or the built-in mock), a "
        "thin aiohttp pass-through and the gateway on loopback, drive each with wrk (or a "
        "built-in load generator) and print a Markdown table (see docs/benchmarks.md).",
    )
    parser.add_argument(
        "--duration", type=_positive_float, default=10.0, help="seconds per phase (default 10)"
    )
    parser.add_argument(
        "--connections", type=_positive_int, default=50, help="concurrent connections (50)"
    )
    parser.add_argument(
        "--workers", type=_positive_int, default=1, help="gateway worker processes (1)"
    )
    parser.add_argument("--quick", action="store_true", help="one-second phases: a smoke run")
    parser.add_argument(
        "--vs", choices=["litellm"], action="append", default=[], help="also measure LiteLLM"
    )
    parser.add_argument(
        "--streams",
        type=int,
        default=0,
        metavar="N",
        help="also hold N concurrent streams through the gateway and report its RSS",
    )
    parser.add_argument(
        "--hold",
        type=_positive_float,
        default=10.0,
        metavar="SECONDS",
        help="how long each of the --streams lasts (default 10)",
    )
    parser.add_argument(
        "--load-generator", choices=["auto", "wrk", "builtin"], default="auto", help="(auto)"
    )
    parser.add_argument("--upstream", choices=["auto", "nginx", "mock"], default="auto")
    parser.add_argument(
        "--wrk-threads", type=_positive_int, default=1, help="wrk threads (default 1)"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="run the gateway under cProfile, write its stats to FILE and print the hottest "
        "functions to stderr (the gateway is slower while profiled; --workers 1 only)",
    )
    parser.add_argument(
        "--keys",
        type=_non_negative_int,
        default=0,
        metavar="N",
        help="seed N virtual keys into the gateway's store before it starts; requests then "
        "use one of them, with rpm and budget limits (issue 6: 100000)",
    )
    parser.add_argument(
        "--instances",
        type=_positive_int,
        default=1,
        metavar="N",
        help="run N gateway instances sharing --database-url and --redis-url, each loaded "
        "by its own load generator at the same time (default 1)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="PostgreSQL server for the gateway's store (postgresql://user@host:port/db): a "
        "fresh database is created on it for the run and dropped at the end (default: SQLite)",
    )
    parser.add_argument(
        "--redis-url",
        metavar="URL",
        help="Redis for the gateway's limits and invalidation, under a prefix of the run's "
        "own, deleted at the end",
    )
    parser.set_defaults(handler=run)


def _without_password(argument: str) -> str:
    """A URL's password replaced by ``***``: the command line is printed in the report."""
    return re.sub(r"(://[^:/@\s]*:)[^@/\s]*@", r"\1***@", argument)


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _refusal(args: argparse.Namespace) -> str | None:
    """Option combinations that cannot run, explained."""
    if args.profile and args.workers > 1:
        return "--profile needs --workers 1"
    if args.instances > 1:
        if not args.database_url or not args.redis_url:
            return "--instances N > 1 needs --database-url (PostgreSQL) and --redis-url to share"
        if args.profile:
            return "--profile needs --instances 1"
        if args.streams:
            return "--streams needs --instances 1"
    if args.database_url and not args.database_url.lower().startswith(("postgres", "postgresql")):
        return "--database-url: give a postgresql:// URL (SQLite in the temp dir is the default)"
    return None


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Unwinds like Ctrl-C, so every server the benchmark started is stopped.
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    import orjson

    from lockgate.bench import BenchOptions, render_json, render_markdown, run_bench

    options = BenchOptions(
        duration_s=args.duration,
        connections=args.connections,
        workers=args.workers,
        quick=args.quick,
        vs_litellm="litellm" in args.vs,
        streams=max(0, args.streams),
        hold_s=args.hold,
        load_generator=args.load_generator,
        upstream=args.upstream,
        wrk_threads=args.wrk_threads,
        command=shlex.join(["lockgate", *map(_without_password, sys.argv[1:])]),
        profile_path=None if args.profile is None else str(Path(args.profile).resolve()),
        keys=args.keys,
        instances=args.instances,
        database_url=args.database_url,
        redis_url=args.redis_url,
    )
    refusal = _refusal(args)
    if refusal is not None:
        print(f"lockgate bench: {refusal}", file=sys.stderr)
        return 2
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        result = run_bench(options)
    except KeyboardInterrupt:
        print("lockgate bench: interrupted; every server it started was stopped", file=sys.stderr)
        return 130
    except (RuntimeError, OSError) as exc:
        print(f"lockgate bench: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(render_markdown(result), end="", flush=True)
    if args.json:
        Path(args.json).write_bytes(
            orjson.dumps(render_json(result), option=orjson.OPT_INDENT_2) + b"\n"
        )
    if options.profile_path is not None:
        _print_profile(Path(options.profile_path))
    return 0


def _print_profile(path: Path) -> None:
    from lockgate.bench.profile_summary import profile_summary

    if not path.exists():
        print(f"lockgate bench: the gateway wrote no profile to {path}", file=sys.stderr)
        return
    print(f"\n## gateway profile ({path})\n", file=sys.stderr)
    print(profile_summary(path), file=sys.stderr)
