"""The memo of digests of keys that authenticated: bounded, only keys that exist, and never
a reason to accept a key the cache no longer holds."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest

from lockgate.errors import AuthenticationError
from lockgate.keys import AccessCache, KeyHasher, VirtualKeyAuthenticator, new_key
from lockgate.keys.digest_memo import DigestMemo
from lockgate.keys.records import KeyRecord, Limits, ModelAccess
from lockgate.security import Secret


def record(key_id: str, digest: str) -> KeyRecord:
    return KeyRecord(
        id=key_id,
        digest=digest,
        key_alias=None,
        user_id=None,
        team_id=None,
        organization_id=None,
        models=ModelAccess(),
        aliases=MappingProxyType({}),
        tags=(),
        limits=Limits(),
        model_rpm_limit=MappingProxyType({}),
        model_tpm_limit=MappingProxyType({}),
        expires=None,
        blocked=False,
    )


def test_the_memo_is_bounded_and_keeps_no_key() -> None:
    memo = DigestMemo(size=2)
    keys = [new_key() for _ in range(3)]
    prints = [memo.fingerprint(k) for k in keys]
    assert len(set(prints)) == 3 and all(len(p) == 32 for p in prints)
    assert all(k.encode() not in p for k, p in zip(keys, prints, strict=True))
    # Keyed per memo (per process): a fingerprint means nothing elsewhere.
    assert DigestMemo().fingerprint(keys[0]) != prints[0] == memo.fingerprint(keys[0])
    for index, fingerprint in enumerate(prints):
        memo.put(fingerprint, f"digest-{index}")
    assert len(memo) == 2 and memo.get(prints[0]) is None  # the oldest went first
    assert memo.get(prints[1]) == "digest-1" and memo.get(prints[2]) == "digest-2"
    assert keys[0] not in repr(memo)


def test_remembered_keys_are_still_checked_on_every_request() -> None:
    hasher, cache = KeyHasher(Secret("s" * 32)), AccessCache()
    now = [1000.0]
    auth = VirtualKeyAuthenticator(hasher, cache, clock=lambda: now[0])
    key, unknown = new_key(), new_key()
    assert auth.authenticate(unknown) is None
    assert len(auth._memo) == 0  # unknown keys are not remembered
    cache.put_key(record("k1", hasher.digest(key)))
    for _ in range(2):  # computed, then remembered
        principal = auth.authenticate(key)
        assert principal is not None and principal.key_id == "k1"
    assert len(auth._memo) == 1
    cache.put_key(replace(record("k1", hasher.digest(key)), expires=1000.0))
    with pytest.raises(AuthenticationError, match="expired"):
        auth.authenticate(key)
    cache.put_key(replace(record("k1", hasher.digest(key)), blocked=True))
    with pytest.raises(AuthenticationError, match="blocked"):
        auth.authenticate(key)
    # Regenerated: the key id stays, the old key no longer authenticates.
    fresh = new_key()
    cache.put_key(record("k1", hasher.digest(fresh)))
    assert auth.authenticate(key) is None
    principal = auth.authenticate(fresh)
    assert principal is not None and principal.key_id == "k1"
    cache.drop_key("k1")
    assert auth.authenticate(fresh) is None
