"""``lockgate db upgrade|current``: apply the store's migrations (the gateway also applies
them when it starts) or show the database's revision."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "db", help="database migrations", description="Manage the gateway's database."
    )
    parser.add_argument("action", choices=("upgrade", "current"))
    parser.add_argument("--config", "-c", help="config file (its general_settings.database_url)")
    parser.add_argument("--data-dir", default=".lockgate", help="local data folder (SQLite)")
    parser.set_defaults(handler=run)


def _database_url(args: argparse.Namespace) -> str:
    from lockgate.config import ConfigError, load_config
    from lockgate.store import async_database_url, default_sqlite_url

    data_dir = Path(args.data_dir)
    if args.config:
        try:
            config = load_config(args.config)
        except ConfigError as exc:
            raise SystemExit(f"lockgate: {exc}") from None
        if config.general.database_url:
            return async_database_url(config.general.database_url.reveal())
        data_dir = Path(config.lockgate.data_dir or args.data_dir)
    return default_sqlite_url(data_dir)


async def _run(action: str, url: str) -> str:
    from lockgate.store import Store, current_revision, head_revision

    store = Store.from_url(url)
    try:
        if action == "upgrade":
            await store.migrate()
        revision = await current_revision(store.engine)
        return f"database at revision {revision} (newest: {head_revision()})"
    finally:
        await store.aclose()


def run(args: argparse.Namespace) -> int:
    try:
        import asyncio  # here: the `lockgate` command loads every sub-command

        print(asyncio.run(_run(args.action, _database_url(args))))
    except OSError as exc:
        print(f"lockgate: cannot reach the database: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
