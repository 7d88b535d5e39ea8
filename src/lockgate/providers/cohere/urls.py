"""Cohere URLs and headers. The api_base may be the bare host or carry ``/v1`` or ``/v2``;
both reach ``{host}/v2/...``."""

from __future__ import annotations

from lockgate.providers.call import Credentials
from lockgate.providers.spec import ProviderSpec

__all__ = ["cohere_headers", "cohere_url"]


def cohere_url(spec: ProviderSpec, credentials: Credentials, path: str) -> str:
    base = (credentials.api_base or spec.default_api_base or "").rstrip("/")
    for suffix in ("/v2", "/v1"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    return f"{base}/v2/{path}"


def cohere_headers(credentials: Credentials, *, stream: bool = False) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if stream:
        headers["Accept"] = "text/event-stream"
    if credentials.api_key:
        headers["Authorization"] = f"Bearer {credentials.api_key.reveal()}"
    headers.update(credentials.extra_headers)
    return headers
