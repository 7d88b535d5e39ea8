"""Credentials for one call: explicit arguments first, then the provider's environment."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import urlsplit

from lockgate.errors import AuthenticationError, BadRequestError
from lockgate.providers.call import Credentials
from lockgate.providers.spec import ProviderSpec
from lockgate.security.secret import Secret

__all__ = ["resolve_credentials"]


def _first(env: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = env.get(name)
        if value:
            return value
    return None


def resolve_credentials(
    spec: ProviderSpec,
    env: Mapping[str, str],
    *,
    api_key: str | Secret | None = None,
    api_base: str | None = None,
    api_version: str | None = None,
    organization: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> Credentials:
    key = api_key if isinstance(api_key, Secret) else (Secret(api_key) if api_key else None)
    if key is None:
        from_env = _first(env, spec.api_key_env)
        key = Secret(from_env) if from_env else None
    if key is None and spec.requires_api_key:
        names = " or ".join(spec.api_key_env) or "an api_key"
        raise AuthenticationError(
            f"no API key for provider {spec.name!r}: pass api_key or set {names}",
            provider=spec.name,
            retryable=False,
        )
    base = api_base or _first(env, spec.api_base_env) or spec.default_api_base
    if not base:
        raise BadRequestError(
            f"provider {spec.name!r} needs an api_base", provider=spec.name, param="api_base"
        )
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequestError(
            f"api_base must be an http(s) URL, got {base!r}", provider=spec.name, param="api_base"
        )
    return Credentials(
        api_key=key,
        api_base=base,
        api_version=api_version,
        organization=organization,
        extra_headers=MappingProxyType(dict(extra_headers or {})),
    )
