"""Where Gemini (AI Studio) requests go and how they authenticate.

``api_base`` may be the bare host (``https://generativelanguage.googleapis.com``) or carry
the API version (``.../v1beta``, ``.../v1``); both reach ``{root}/models/{model}:{method}``.
The key goes in the ``x-goog-api-key`` header (never in the URL, where logs would keep it).
Streams use ``:streamGenerateContent?alt=sse``.
"""

from __future__ import annotations

from urllib.parse import quote

from lockgate.providers.call import Credentials
from lockgate.providers.spec import ProviderSpec

__all__ = ["gemini_headers", "gemini_root", "gemini_url", "model_path"]

_VERSIONS = ("/v1beta", "/v1", "/v1alpha")


def gemini_root(api_base: str) -> str:
    """``https://generativelanguage.googleapis.com`` or ``.../v1beta`` → ``.../v1beta``."""
    base = api_base.split("?", 1)[0].rstrip("/")
    if base.endswith(_VERSIONS):
        return base
    return base + "/v1beta"


def model_path(model: str) -> str:
    """The model id as a URL path segment (``models/`` prefix allowed, nothing escapes)."""
    return quote(model.removeprefix("models/"), safe="-._~@")


def gemini_url(
    spec: ProviderSpec, credentials: Credentials, model: str, method: str, *, sse: bool = False
) -> str:
    root = gemini_root(credentials.api_base or spec.default_api_base or "")
    url = f"{root}/models/{model_path(model)}:{method}"
    return url + "?alt=sse" if sse else url


def gemini_headers(credentials: Credentials, *, stream: bool = False) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if credentials.api_key:
        headers["x-goog-api-key"] = credentials.api_key.reveal()
    if stream:
        headers["Accept"] = "text/event-stream"
    headers.update(credentials.extra_headers)
    return headers
