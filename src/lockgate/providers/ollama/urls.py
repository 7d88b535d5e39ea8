"""Ollama URLs and headers; the api_base may be the bare server or end in ``/api``."""

from __future__ import annotations

from lockgate.providers.call import Credentials
from lockgate.providers.spec import ProviderSpec

__all__ = ["ollama_headers", "ollama_url"]


def ollama_url(spec: ProviderSpec, credentials: Credentials, path: str) -> str:
    base = (credentials.api_base or spec.default_api_base or "").rstrip("/")
    return f"{base.removesuffix('/api')}/api/{path}"


def ollama_headers(credentials: Credentials) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if credentials.api_key:
        headers["Authorization"] = f"Bearer {credentials.api_key.reveal()}"
    headers.update(credentials.extra_headers)
    return headers
