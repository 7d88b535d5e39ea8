"""Key hashing, the server secret file, model access lists and the authenticator."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from types import MappingProxyType

import pytest

from lockgate.config import parse_config
from lockgate.config.errors import ConfigError
from lockgate.errors import AuthenticationError
from lockgate.keys import AccessCache, KeyHasher, ModelAccess, VirtualKeyAuthenticator, new_key
from lockgate.keys.records import KeyRecord, Limits, TeamRecord
from lockgate.keys.server_secret import load_or_create_server_secret
from lockgate.security import Secret


def test_digests_are_keyed_and_stable() -> None:
    key = new_key()
    one, other = KeyHasher(Secret("a" * 32)), KeyHasher(Secret("b" * 32))
    assert one.digest(key) == one.digest(key) != other.digest(key)
    assert len(one.digest(key)) == 64 and key not in repr(one)


def test_the_server_secret_file_is_created_once_owner_only(tmp_path: Path) -> None:
    first = load_or_create_server_secret(None, tmp_path)
    assert load_or_create_server_secret(None, tmp_path) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "salt_key").st_mode)
    assert mode == 0o600
    assert load_or_create_server_secret(Secret("configured"), tmp_path).reveal() == "configured"


def test_salt_key_from_config_or_environment() -> None:
    config = parse_config("", env={"LOCKGATE_SALT_KEY": "from-env"})
    assert config.lockgate.salt_key is not None and config.lockgate.salt_key.reveal() == "from-env"
    assert "from-env" not in repr(config)
    with pytest.raises(ConfigError) as bad:
        parse_config("lockgate_settings:\n  redis_prefix: '{x}'\n", source="c.yaml", env={})
    assert "c.yaml:2" in str(bad.value) and "redis_prefix" in str(bad.value)


def test_model_access() -> None:
    assert ModelAccess.of([]).allows("anything")
    assert ModelAccess.of(["all-team-models"]).allows("anything")
    some = ModelAccess.of(["gpt-4o", "anthropic/*"])
    assert some.allows("gpt-4o") and some.allows("anthropic/claude") and not some.allows("o1")
    assert some.covers(ModelAccess.of(["gpt-4o"])) and not some.covers(ModelAccess.of([]))
    assert not some.covers(ModelAccess.of(["o1"]))


def _record(key_hash: str, **changes: object) -> KeyRecord:
    fields: dict[str, object] = dict(
        id="k1",
        digest=key_hash,
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
    fields.update(changes)
    return KeyRecord(**fields)  # type: ignore[arg-type]


def test_authenticator() -> None:
    hasher, cache = KeyHasher(Secret("s" * 32)), AccessCache()
    auth = VirtualKeyAuthenticator(hasher, cache, clock=lambda: 1000.0)
    key = new_key()
    assert auth.authenticate(key) is None
    cache.put_key(_record(hasher.digest(key)))
    principal = auth.authenticate(key)
    assert principal is not None and principal.key_id == "k1" and principal.virtual
    assert not principal.is_admin
    cache.put_key(_record(hasher.digest(key), expires=999.0))
    with pytest.raises(AuthenticationError, match="expired"):
        auth.authenticate(key)
    cache.put_key(_record(hasher.digest(key), blocked=True))
    with pytest.raises(AuthenticationError, match="blocked"):
        auth.authenticate(key)
    cache.put_team(
        TeamRecord("t", None, None, ModelAccess(), Limits(), True, frozenset(), frozenset())
    )
    cache.put_key(_record(hasher.digest(key), team_id="t"))
    with pytest.raises(AuthenticationError, match="team"):
        auth.authenticate(key)
    cache.drop_key("k1")
    assert auth.authenticate(key) is None
