"""Virtual-key authentication: HMAC the presented key and look the digest up in memory
(the HMAC of a key that authenticated recently is remembered: see ``digest_memo``)."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

from lockgate.errors import AuthenticationError
from lockgate.gateway.auth import Principal
from lockgate.keys.access_cache import AccessCache, CachedKey
from lockgate.keys.digest_memo import DigestMemo
from lockgate.keys.key_hasher import KeyHasher

__all__ = ["VirtualKeyAuthenticator"]


class VirtualKeyAuthenticator:
    def __init__(
        self, hasher: KeyHasher, cache: AccessCache, clock: Callable[[], float] = time.time
    ) -> None:
        self._hasher = hasher
        self._cache = cache
        self._clock = clock
        self._memo = DigestMemo()

    def authenticate(self, token: str) -> Principal | None:
        fingerprint, digest = self._memo.lookup(token)
        if digest is not None:
            cached = self._cache.key_by_digest(digest)  # None once the key is deleted
        else:
            cached = self._authenticate_anew(token, fingerprint)
        if cached is None:
            return None
        record = cached.record
        if record.blocked:
            raise AuthenticationError("this key is blocked", code="key_blocked")
        if record.expires is not None and self._clock() >= record.expires:
            raise AuthenticationError("this key has expired", code="key_expired")
        team = self._cache.teams.get(record.team_id) if record.team_id else None
        if team is not None and team.blocked:
            raise AuthenticationError("this key's team is blocked", code="team_blocked")
        return cached.principal

    def _authenticate_anew(self, token: str, fingerprint: bytes) -> CachedKey | None:
        digest = self._hasher.digest(token)
        cached = self._cache.key_by_digest(digest)
        if cached is None or not hmac.compare_digest(cached.record.digest, digest):
            return None
        self._memo.put(fingerprint, cached.record.digest)
        return cached
