"""Virtual keys: generation, keyed-hash storage, the in-memory cache and authentication."""

from lockgate.keys.access_cache import AccessCache, CachedKey
from lockgate.keys.authenticator import VirtualKeyAuthenticator
from lockgate.keys.key_hasher import KeyHasher, key_hint, new_key, new_key_id
from lockgate.keys.records import KeyRecord, Limits, ModelAccess, TeamRecord, UserRecord

__all__ = [
    "AccessCache",
    "CachedKey",
    "KeyHasher",
    "KeyRecord",
    "Limits",
    "ModelAccess",
    "TeamRecord",
    "UserRecord",
    "VirtualKeyAuthenticator",
    "key_hint",
    "new_key",
    "new_key_id",
]
