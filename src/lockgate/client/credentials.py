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

__all__ = ["CLOUD_OPTIONS", "resolve_credentials"]

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
