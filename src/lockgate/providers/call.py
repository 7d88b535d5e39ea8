"""The provider-neutral description of one upstream call, handed to an adapter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lockgate.providers.spec import ProviderSpec
from lockgate.security.secret import Secret

__all__ = ["ChatCall", "Credentials", "EmbeddingCall", "TextCompletionCall"]


@dataclass(frozen=True, slots=True)
class Credentials:
    """Where and as whom to call: always travels with the call, never in globals."""

    api_key: Secret | None = None
    api_base: str | None = None
    api_version: str | None = None
    organization: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Cloud placement and credentials (Bedrock, Azure Entra ID); None when not given.
    region: str | None = None
    aws_access_key_id: Secret | None = None
    aws_secret_access_key: Secret | None = None
    aws_session_token: Secret | None = None
    azure_ad_token: Secret | None = None
    # Vertex AI placement (vertex_project / vertex_location, or VERTEXAI_PROJECT / _LOCATION).
    vertex_project: str | None = None
    vertex_location: str | None = None


# The calls are built per request and never changed after (dataclasses.replace makes a
# changed copy): not frozen only because a frozen dataclass costs several times more to
# build (each field is set through object.__setattr__).
@dataclass(slots=True)
class ChatCall:
    provider: ProviderSpec
    model: str  # the provider's own model id (prefix removed)
    messages: list[dict[str, Any]]
    # OpenAI parameters other than model, messages and stream, already validated/dropped.
    params: Mapping[str, Any]
    stream: bool
    credentials: Credentials
    # Whether the caller asked for a final usage chunk (stream_options.include_usage).
    include_usage: bool = False


@dataclass(slots=True)
class EmbeddingCall:
    provider: ProviderSpec
    model: str
    input: list[str] | list[list[int]] | str
    params: Mapping[str, Any]
    credentials: Credentials


@dataclass(slots=True)
class TextCompletionCall:
    provider: ProviderSpec
    model: str
    prompt: str | list[str]
    params: Mapping[str, Any]
    credentials: Credentials
