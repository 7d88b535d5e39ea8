"""Credentials for one call: explicit arguments first, then the provider's environment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from lockgate.errors import AuthenticationError, BadRequestError
from lockgate.providers.call import Credentials
from lockgate.providers.spec import ProviderSpec
from lockgate.security.secret import Secret

__all__ = ["CLOUD_OPTIONS", "CredentialCache", "resolve_credentials"]

# Call options that carry cloud placement and credentials (LiteLLM's names).
CLOUD_OPTIONS: frozenset[str] = frozenset(
    {
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_region_name",
        "region_name",
        "azure_ad_token",
        "vertex_project",
        "vertex_location",
        "vertex_credentials",  # read by the Vertex AI token step, not here
    }
)
_VERTEX_ENV: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "vertex_project": ("VERTEXAI_PROJECT", "VERTEX_PROJECT", "GOOGLE_CLOUD_PROJECT"),
        "vertex_location": ("VERTEXAI_LOCATION", "VERTEX_LOCATION", "GOOGLE_CLOUD_LOCATION"),
    }
)
_REGION = re.compile(r"[a-z0-9-]{1,40}")
# Protocols whose credentials read more of the environment than the key and the api_base.
_ENV_HEAVY_PROTOCOLS = frozenset({"azure", "bedrock", "vertex"})
_MAX_CACHED = 256


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
    cloud: Mapping[str, Any] | None = None,
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
    cloud = cloud or {}
    region = _region(spec, env, cloud)
    base = api_base or _first(env, spec.api_base_env) or spec.default_api_base
    if base and "{region}" in base:  # a per-region host (Bedrock)
        if region is None:
            raise BadRequestError(
                f"provider {spec.name!r} needs a region: pass aws_region_name or set AWS_REGION",
                provider=spec.name,
                param="aws_region_name",
            )
        base = base.replace("{region}", region)
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
        api_version=api_version
        or (env.get("AZURE_API_VERSION") if spec.protocol == "azure" else None),
        organization=organization,
        extra_headers=MappingProxyType(dict(extra_headers or {})),
        region=region,
        aws_access_key_id=_secret(cloud.get("aws_access_key_id")),
        aws_secret_access_key=_secret(cloud.get("aws_secret_access_key")),
        aws_session_token=_secret(cloud.get("aws_session_token")),
        azure_ad_token=_secret(cloud.get("azure_ad_token"))
        or (_secret(env.get("AZURE_AD_TOKEN")) if spec.protocol == "azure" else None),
        vertex_project=_vertex(spec, env, cloud, "vertex_project"),
        vertex_location=_vertex(spec, env, cloud, "vertex_location"),
    )


def _vertex(
    spec: ProviderSpec, env: Mapping[str, str], cloud: Mapping[str, Any], name: str
) -> str | None:
    """A Vertex AI setting: the call's option, else its environment variable (Vertex only)."""
    value = cloud.get(name)
    if not value and spec.protocol == "vertex":
        value = _first(env, _VERTEX_ENV[name])
    return value if isinstance(value, str) and value else None


def _secret(value: Any) -> Secret | None:
    if isinstance(value, Secret):
        return value
    return Secret(value) if isinstance(value, str) and value else None


def _region(spec: ProviderSpec, env: Mapping[str, str], cloud: Mapping[str, Any]) -> str | None:
    """The AWS region: the call's ``aws_region_name``, else ``AWS_REGION`` (Bedrock only)."""
    region = cloud.get("aws_region_name") or cloud.get("region_name")
    if not region and spec.protocol == "bedrock":
        region = _first(env, ("AWS_REGION", "AWS_DEFAULT_REGION"))
    if not region:
        return None
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        raise BadRequestError(
            f"invalid AWS region {region!r}", provider=spec.name, param="aws_region_name"
        )
    return region


def resolve_from_options(
    spec: ProviderSpec, env: Mapping[str, str], options: Mapping[str, Any]
) -> Credentials:
    """:func:`resolve_credentials` with a call's options (LiteLLM's names)."""
    return resolve_credentials(
        spec,
        env,
        api_key=options.get("api_key"),
        api_base=options.get("api_base") or options.get("base_url"),
        api_version=options.get("api_version"),
        organization=options.get("organization"),
        extra_headers=options.get("extra_headers"),
        cloud=options,
    )


class CredentialCache:
    """Credentials resolved once per distinct set of inputs (in practice: per deployment),
    since a gateway resolves the same few again on every request.

    The key holds everything the result depends on, the environment variables read
    included, so a key exported later is still seen. Calls with cloud options, and Azure,
    Bedrock and Vertex AI (which read more of the environment), are resolved every time.
    """

    def __init__(self) -> None:
        self._resolved: dict[tuple[Any, ...], tuple[ProviderSpec, Credentials]] = {}

    def resolve(
        self, spec: ProviderSpec, env: Mapping[str, str], options: Mapping[str, Any]
    ) -> Credentials:
        key = _cache_key(spec, env, options)
        if key is None:
            return resolve_from_options(spec, env, options)
        try:
            found = self._resolved.get(key)
        except TypeError:  # an unhashable option value: resolve (and let it refuse it)
            return resolve_from_options(spec, env, options)
        if found is not None and found[0] is spec:
            return found[1]
        credentials = resolve_from_options(spec, env, options)
        if len(self._resolved) >= _MAX_CACHED:  # bounded: SDK callers may pass any key
            self._resolved.clear()
        self._resolved[key] = (spec, credentials)
        return credentials


def _cache_key(
    spec: ProviderSpec, env: Mapping[str, str], options: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """Every input of :func:`resolve_from_options` for this call, or None: not cached."""
    if spec.protocol in _ENV_HEAVY_PROTOCOLS or not CLOUD_OPTIONS.isdisjoint(options):
        return None
    api_key = options.get("api_key")
    # A Secret by its text (a str caches its hash; Secret.__hash__ is Python code), and
    # whether it was one: Secret("") is kept as given, "" means "read the environment".
    is_secret = isinstance(api_key, Secret)
    key_text = api_key.reveal() if isinstance(api_key, Secret) else api_key
    api_base = options.get("api_base") or options.get("base_url")
    extra_headers = options.get("extra_headers")
    if extra_headers is not None and isinstance(extra_headers, Mapping):
        extra_headers = tuple(extra_headers.items())
    return (
        id(spec),
        is_secret,
        key_text,
        None if api_key else _first(env, spec.api_key_env),
        api_base,
        None if api_base else _first(env, spec.api_base_env),
        options.get("api_version"),
        options.get("organization"),
        extra_headers,
    )
