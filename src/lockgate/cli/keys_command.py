"""``lockgate keys rotate-encryption``: re-encrypt the stored provider credentials (deployments
added through ``/model/new``) under the current server secret, after it was changed.

The current secret is the gateway's (``lockgate_settings.salt_key``, ``LOCKGATE_SALT_KEY``,
else the key file in the data folder); the old one is read from ``--old-salt-key-file`` or
the ``LOCKGATE_OLD_SALT_KEY`` variable, never from the command line (it would show in the
process list).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from lockgate.security.secret import Secret

__all__ = ["register"]

OLD_SECRET_VARIABLE = "LOCKGATE_OLD_SALT_KEY"  # noqa: S105 (a variable name)


class _Refused(Exception):
    pass


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "keys", help="server secret and stored credentials", description="Manage encryption keys."
    )
    actions = parser.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    rotate = actions.add_parser(
        "rotate-encryption",
        help="re-encrypt stored deployment credentials under the current server secret",
        description=(
            "Re-encrypt every deployment added through the admin API under the current server "
            f"secret. The old secret comes from --old-salt-key-file or ${OLD_SECRET_VARIABLE}. "
            "All rows change in one transaction, or none."
        ),
    )
    rotate.add_argument("--config", "-c", help="config file (database_url, salt_key, data_dir)")
    rotate.add_argument("--data-dir", default=".lockgate", help="local data folder")
    rotate.add_argument("--old-salt-key-file", help="file holding the previous server secret")
    rotate.set_defaults(handler=run)


def _read_secret_file(path: Path) -> Secret:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise _Refused(f"cannot read {path}: {exc.strerror or exc}") from None
    if not value:
        raise _Refused(f"{path} is empty")
    return Secret(value)


def _old_secret(args: argparse.Namespace) -> Secret:
    if args.old_salt_key_file:
        return _read_secret_file(Path(args.old_salt_key_file))
    value = os.environ.get(OLD_SECRET_VARIABLE, "").strip()
    if not value:
        raise _Refused(f"give the old secret with --old-salt-key-file or ${OLD_SECRET_VARIABLE}")
    return Secret(value)


def _current(args: argparse.Namespace) -> tuple[str, Secret]:
    """(database URL, current secret), as the gateway started with these options finds them."""
    from lockgate.config import ConfigError, load_config, parse_config
    from lockgate.keys.server_secret import SALT_KEY_FILE
    from lockgate.store import async_database_url, default_sqlite_url

    try:
        config = (
            load_config(args.config)
            if args.config
            else parse_config("", source="<defaults>", env=os.environ)
        )
    except ConfigError as exc:
        raise _Refused(str(exc)) from None
    data_dir = Path(config.lockgate.data_dir or args.data_dir)
    url = (
        async_database_url(config.general.database_url.reveal())
        if config.general.database_url
        else default_sqlite_url(data_dir)
    )
    if config.lockgate.salt_key:
        return url, config.lockgate.salt_key
    key_file = data_dir / SALT_KEY_FILE
    if not key_file.exists():  # never make one here: it would encrypt under a new secret
        raise _Refused(
            f"no current server secret: set lockgate_settings.salt_key or LOCKGATE_SALT_KEY, "
            f"or keep {key_file}"
        )
    return url, _read_secret_file(key_file)


async def _rotate(url: str, old: Secret, current: Secret) -> str:
    from lockgate.keys.credential_cipher import CredentialCipher
    from lockgate.keys.encryption_rotation import RotationError, rotate_encryption
    from lockgate.store import Store

    old_cipher, new_cipher = CredentialCipher(old), CredentialCipher(current)
    store = Store.from_url(url)
    try:
        await store.migrate()
        result = await rotate_encryption(store, old_cipher, new_cipher)
    except RotationError as exc:
        raise _Refused(str(exc)) from None
    finally:
        await store.aclose()
    return (
        f"re-encrypted {result.rotated} deployment row(s) from key id {old_cipher.key_id} "
        f"to {new_cipher.key_id}; {result.already_current} already under the current key"
    )


def run(args: argparse.Namespace) -> int:
    try:
        old = _old_secret(args)
        url, current = _current(args)
        import asyncio  # here: the `lockgate` command loads every sub-command

        print(asyncio.run(_rotate(url, old, current)))
    except _Refused as exc:
        print(f"lockgate: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"lockgate: cannot reach the database: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
