"""Where an Azure call goes and how it authenticates (wire-formats §2.1).

* Deployment routes: ``{resource}/openai/deployments/{deployment}{route}?api-version=V``.
* v1 routes (``api_version="v1"``, or an ``api_base`` ending in ``/openai/v1``):
  ``{resource}/openai/v1{route}`` with the deployment as the body's ``model``, no version.
* Azure AI model inference (``azure_ai``): ``{api_base}{route}``, with ``api-version`` when
  one is configured or the base is a ``/models`` endpoint.

The ``api_base`` may be the bare resource URL or carry ``/openai`` (or ``/openai/v1``).
"""

from __future__ import annotations

from urllib.parse import quote

from lockgate.errors import AuthenticationError
from lockgate.providers.call import Credentials
from lockgate.providers.spec import ProviderSpec

__all__ = [
    "AZURE_AI_DEFAULT_API_VERSION",
    "DEFAULT_API_VERSION",
    "azure_headers",
    "azure_url",
    "streams_usage",
    "uses_v1_routes",
]

# The latest GA data-plane version of the deployment routes (AZ-SPEC stable/2024-10-21).
DEFAULT_API_VERSION = "2024-10-21"
AZURE_AI_DEFAULT_API_VERSION = "2024-05-01-preview"
_V1_VERSIONS = frozenset({"v1", "latest", "preview"})
# The first api-version that takes stream_options (usage in streams).
_STREAM_OPTIONS_SINCE = "2024-09-01"


def _base(spec: ProviderSpec, credentials: Credentials) -> str:
    base = credentials.api_base or spec.default_api_base
    if not base:
        raise ValueError(f"provider {spec.name!r} needs an api_base")
    return base.rstrip("/")


def uses_v1_routes(base: str, api_version: str | None) -> bool:
    return base.endswith("/openai/v1") or (api_version or "").lower() in _V1_VERSIONS


def streams_usage(api_version: str | None) -> bool:
    """Whether ``stream_options`` may be sent: the v1 routes and dated versions from
    2024-09-01 (preview) on take it; older dated versions answer 400."""
    version = (api_version or DEFAULT_API_VERSION).lower()
    if version in _V1_VERSIONS or not version[:1].isdigit():
        return True
    return version[:10] >= _STREAM_OPTIONS_SINCE


def _resource_root(base: str) -> str:
    for suffix in ("/openai/v1", "/openai"):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def azure_url(spec: ProviderSpec, credentials: Credentials, deployment: str, route: str) -> str:
    """The URL of ``route`` (``/chat/completions``, ``/embeddings``...) for this call."""
    base = _base(spec, credentials)
    version = credentials.api_version
    if spec.name == "azure_ai":
        if version is None and base.endswith("/models"):
            version = AZURE_AI_DEFAULT_API_VERSION
        return base + route + (f"?api-version={quote(version, safe='')}" if version else "")
    if uses_v1_routes(base, version):
        url = _resource_root(base) + "/openai/v1" + route
        return url + "?api-version=preview" if (version or "").lower() == "preview" else url
    version = version or DEFAULT_API_VERSION
    return (
        f"{_resource_root(base)}/openai/deployments/{quote(deployment, safe='')}{route}"
        f"?api-version={quote(version, safe='')}"
    )


def azure_headers(spec: ProviderSpec, credentials: Credentials, *, stream: bool) -> dict[str, str]:
    """``api-key`` when a key is configured, else the Entra ID token as a Bearer token."""
    headers = {"Content-Type": "application/json"}
    if credentials.api_key:
        headers["api-key"] = credentials.api_key.reveal()
    elif credentials.azure_ad_token:
        headers["Authorization"] = f"Bearer {credentials.azure_ad_token.reveal()}"
    else:
        names = " or ".join(spec.api_key_env)
        raise AuthenticationError(
            f"no credentials for provider {spec.name!r}: pass api_key (or set {names}) or "
            "azure_ad_token (or set AZURE_AD_TOKEN)",
            provider=spec.name,
            retryable=False,
        )
    if stream:
        headers["Accept"] = "text/event-stream"
    headers.update(credentials.extra_headers)
    return headers
