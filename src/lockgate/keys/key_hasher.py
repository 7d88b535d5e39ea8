"""Virtual keys: made here, shown once, stored only as a keyed hash (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from typing import Final

from lockgate.security.secret import Secret

__all__ = ["KEY_PREFIX", "KeyHasher", "key_hint", "new_key", "new_key_id"]

KEY_PREFIX: Final = "sk-"


def new_key() -> str:
    """A new virtual key: ``sk-`` and 256 random bits."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def new_key_id() -> str:
    """The key's public, non-secret id (stable across regeneration)."""
    return uuid.uuid4().hex


def key_hint(key: str) -> str:
    """What a human may see of a key: ``sk-...abcd``."""
    return f"{key[:3]}...{key[-4:]}"


class KeyHasher:
    def __init__(self, secret: Secret) -> None:
        # Derive a dedicated HMAC key, so the raw secret serves no two purposes.
        self._key = hmac.new(secret.reveal().encode(), b"lockgate/key-digest/v1", "sha256").digest()

    def digest(self, key: str) -> str:
        return hmac.new(self._key, key.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "KeyHasher(<secret>)"
