"""The server secret keys are hashed with (HMAC-SHA256) and credentials encrypted with.

It comes from ``lockgate_settings.salt_key`` (or ``LOCKGATE_SALT_KEY`` / ``LITELLM_SALT_KEY``,
read by the config module); otherwise it is generated once into ``<data_dir>/salt_key`` with
owner-only permissions. Every instance sharing a database must use the same secret.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Final

from lockgate.security.secret import Secret

__all__ = ["SALT_KEY_FILE", "load_or_create_server_secret"]

SALT_KEY_FILE: Final = "salt_key"


def load_or_create_server_secret(configured: Secret | None, data_dir: Path) -> Secret:
    if configured:
        return configured
    path = data_dir / SALT_KEY_FILE
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return Secret(value)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker created it first
        return Secret(path.read_text(encoding="utf-8").strip())
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return Secret(value)
