"""Where a Vertex AI call's Google credentials come from, and reading them.

``vertex_credentials`` is accepted as LiteLLM users write it: a path to a JSON key file, the
JSON document itself (a string or a mapping), or absent, meaning Application Default
Credentials: the file ``GOOGLE_APPLICATION_CREDENTIALS`` names, else the one
``gcloud auth application-default login`` writes. Two credential types are read: a
``service_account`` key and an ``authorized_user`` (gcloud's ADC file). Others
(``external_account``, ``impersonated_service_account``...) are refused: they can name
further files and URLs to fetch, which lockgate does not follow. The metadata server of a
Google Cloud VM is not consulted either (the egress policy refuses link-local addresses).

Naming the source is cheap and done per call (no file access); reading it happens in a
worker thread when a token is minted (:mod:`~lockgate.providers.gemini.google_tokens`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lockgate.errors import AuthenticationError, BadRequestError
from lockgate.security.secret import Secret

__all__ = ["CredentialSource", "GoogleKey", "credential_source", "read_key"]

SUPPORTED_TYPES = ("service_account", "authorized_user")
_REQUIRED: Mapping[str, tuple[str, ...]] = {
    "service_account": ("client_email", "private_key", "token_uri"),
    "authorized_user": ("client_id", "client_secret", "refresh_token"),
}
_ADC_HINT = (
    "pass vertex_credentials (a service-account JSON file or document), set "
    "GOOGLE_APPLICATION_CREDENTIALS, run `gcloud auth application-default login`, or pass "
    "an OAuth access token as api_key"
)


def _fail(message: str) -> AuthenticationError:
    return AuthenticationError(message, provider="vertex_ai", retryable=False)


@dataclass(frozen=True, slots=True)
class CredentialSource:
    """A JSON document (``inline``) or a file to read; ``key`` names it in the token cache."""

    key: str  # a digest: the cache never holds the credential itself as a key
    inline: Secret | None = None
    path: str | None = None
    adc: bool = False  # found through Application Default Credentials


@dataclass(frozen=True, slots=True)
class GoogleKey:
    """A parsed credential document. ``info`` holds the private key: never log it."""

    kind: str
    info: Secret  # the JSON document, as text
    project_id: str | None

    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.info.reveal())
        return loaded


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\0{value}".encode()).hexdigest()


def credential_source(value: object, env: Mapping[str, str]) -> CredentialSource:
    """The source a call names: its ``vertex_credentials``, else Application Default
    Credentials (read from ``env``, the client's environment)."""
    if isinstance(value, Secret):
        value = value.reveal()
    if isinstance(value, Mapping):
        text = json.dumps(dict(value), separators=(",", ":"), sort_keys=True)
        return CredentialSource(_digest("json", text), inline=Secret(text))
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.startswith("{"):
            return CredentialSource(_digest("json", text), inline=Secret(text))
        path = os.path.expanduser(text)
        return CredentialSource(_digest("path", path), path=path)
    if value is not None and value != "":
        raise BadRequestError(
            "vertex_credentials must be a file path, a JSON document or a mapping",
            provider="vertex_ai",
            param="vertex_credentials",
        )
    path = env.get("GOOGLE_APPLICATION_CREDENTIALS") or _gcloud_adc_path(env)
    return CredentialSource(_digest("adc", path), path=path, adc=True)


def _gcloud_adc_path(env: Mapping[str, str]) -> str:
    """Where ``gcloud auth application-default login`` writes its file."""
    config = env.get("CLOUDSDK_CONFIG")
    if not config:
        if os.name == "nt" and env.get("APPDATA"):
            config = os.path.join(env["APPDATA"], "gcloud")
        else:
            home = env.get("HOME") or str(Path.home())
            config = os.path.join(home, ".config", "gcloud")
    return os.path.join(config, "application_default_credentials.json")


def read_key(source: CredentialSource) -> GoogleKey:
    """Read and check the document (blocking: call it from a worker thread).

    Error messages name the file and the missing fields, never a value from the document.
    """
    if source.inline is not None:
        text = source.inline.reveal()
        where = "vertex_credentials"
    else:
        assert source.path is not None
        # The path is not repeated: a token passed there by mistake must not reach a log.
        where = (
            "the Application Default Credentials file"
            if source.adc
            else "the file vertex_credentials names"
        )
        try:
            text = Path(source.path).read_text(encoding="utf-8")
        except FileNotFoundError:
            if source.adc:
                raise _fail(f"no Google credentials for Vertex AI: {_ADC_HINT}") from None
            raise _fail(f"{where} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(f"{where} cannot be read ({type(exc).__name__})") from None
    try:
        document = json.loads(text)
    except ValueError:
        raise _fail(f"{where} is not a JSON document") from None
    if not isinstance(document, dict):
        raise _fail(f"{where} is not a JSON object")
    kind = document.get("type")
    if kind not in SUPPORTED_TYPES:
        raise _fail(
            f"{where}: credential type {kind!r} is not supported for Vertex AI "
            f"(supported: {', '.join(SUPPORTED_TYPES)})"
        )
    missing = [f for f in _REQUIRED[kind] if not isinstance(document.get(f), str)]
    if missing:
        raise _fail(f"{where}: {kind} credentials lack {', '.join(missing)}")
    project = document.get("project_id")
    return GoogleKey(kind, Secret(text), project if isinstance(project, str) and project else None)
