"""The built-in mock as a benchmark upstream: `lockgate mock` with a deep accept queue.

Same app as `lockgate mock`, but recording no requests, with a listen backlog that takes a
thousand connections arriving at once (the `--streams 1000` test), no access log, and uvloop
when installed.
Run it as `python -m lockgate.bench.mock_upstream --port 4010`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from aiohttp import web

from lockgate.mock import MockSettings, create_mock_app

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="lockgate mock upstream for lockgate bench")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        import uvloop
    except ImportError:  # pragma: no cover - the gateway's extra is not installed
        loop = None
    else:
        loop = uvloop.new_event_loop()
    web.run_app(
        create_mock_app(MockSettings(record_requests=False)),
        host=args.host,
        port=args.port,
        access_log=None,
        print=None,
        backlog=4096,
        loop=loop,
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
