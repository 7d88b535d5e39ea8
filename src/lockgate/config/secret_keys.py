"""Which free-form keys hold credentials.

Typed fields say themselves whether they are secrets (``api_key: Secret | None``). Inside
free-form mappings (``cache_params``, ``model_info``, ``default_litellm_params``,
``extra_headers``, ...) the key's name decides: a value under a credential-looking key
becomes a :class:`~lockgate.security.Secret`. Wrongly redacting a harmless value is the
safe way to be wrong, so the rule is broad and the exceptions are listed.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["is_secret_header", "is_secret_key"]

_SECRET_WORDS: Final = frozenset(
    {"key", "apikey", "secret", "token", "password", "passwd", "pwd", "credentials", "dsn"}
)
_SECRET_NAMES: Final = frozenset(
    {"database_url", "redis_url", "vertex_credentials", "authorization", "cookie", "private_key"}
)
# Names ending in a secret word that are not credentials.
_NOT_SECRET: Final = frozenset(
    {"prompt_cache_key", "cache_key", "bos_token", "eos_token", "pad_token", "partition_key"}
)
_WORD_SPLIT: Final = re.compile(r"[_\-.]+")


def is_secret_key(key: str) -> bool:
    """True when a value stored under ``key`` should be a Secret."""
    name = key.lower()
    if name in _NOT_SECRET:
        return False
    if name in _SECRET_NAMES:
        return True
    words = [w for w in _WORD_SPLIT.split(name) if w]
    return bool(words) and words[-1] in _SECRET_WORDS


def is_secret_header(name: str) -> bool:
    """True for header names that carry credentials (Authorization, X-Api-Key, cookies...)."""
    lowered = name.lower()
    if lowered in {"authorization", "proxy-authorization", "cookie", "set-cookie"}:
        return True
    return any(word in lowered for word in ("key", "token", "secret", "auth", "password"))
