"""The master key when the config sets none: generated once, kept in the data folder with
owner-only permissions, shown once when it is created."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from lockgate.security.secret import Secret

__all__ = ["forget_master_key", "load_or_create_master_key"]


def load_or_create_master_key(data_dir: Path) -> tuple[Secret, bool]:
    """(key, created_now)."""
    path = data_dir / "master_key"
    if path.exists():
        return Secret(path.read_text(encoding="utf-8").strip()), False
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = "sk-lockgate-" + secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return Secret(key), True


def forget_master_key(data_dir: Path) -> None:
    """Remove a key created by a start that then did not serve: it was never shown, and the
    next start creates (and shows) a new one."""
    (data_dir / "master_key").unlink(missing_ok=True)
