"""A provider described as data: where it lives, how it authenticates, what it accepts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["ProviderSpec", "Quirks"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Quirks:
    """How an OpenAI-protocol provider differs from OpenAI itself."""

    # Parameters the provider rejects: dropped with drop_params, else UnsupportedParamsError.
    unsupported_params: frozenset[str] = frozenset()
    # Parameters renamed on the way out (Mistral: seed → random_seed).
    renamed_params: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    # tool_choice string values mapped on the way out (Mistral: "required" → "any").
    tool_choice_values: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    # Whether `stream_options: {"include_usage": true}` may be sent (usage in streams).
    supports_stream_options: bool = True
    # Whether the provider also serves the legacy /completions and /embeddings routes.
    supports_text_completion: bool = False
    supports_embeddings: bool = False
    # OpenAI routes forwarded as they are (model renamed): "/images/generations", ...
    passthrough_endpoints: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """One row of the provider registry."""

    name: str
    protocol: str  # which adapter speaks to it: "openai", "anthropic", "gemini", ...
    default_api_base: str | None
    api_key_env: tuple[str, ...] = ()
    api_base_env: tuple[str, ...] = ()
    requires_api_key: bool = True
    # Hosts connections may go to without an explicit api_base ("*.suffix" allowed).
    default_hosts: frozenset[str] = frozenset()
    quirks: Quirks = field(default_factory=Quirks)
    docs: str = ""
