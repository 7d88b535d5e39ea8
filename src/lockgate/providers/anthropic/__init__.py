"""The anthropic protocol: Anthropic's Messages API (``anthropic/`` models).

Vertex AI serves the same protocol for Claude models; :mod:`lockgate.providers.gemini`
reuses this package's translation for ``vertex_ai/claude-...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.anthropic.adapter import AnthropicAdapter
from lockgate.providers.anthropic.rows import ANTHROPIC_ROW
from lockgate.providers.base import ChatAdapter
from lockgate.providers.spec import ProviderSpec

__all__ = ["ADAPTERS", "ROWS", "AnthropicAdapter"]

# Provider rows that speak this protocol.
ROWS: tuple[ProviderSpec, ...] = (ANTHROPIC_ROW,)
# protocol name -> adapter instance.
ADAPTERS: Mapping[str, ChatAdapter] = MappingProxyType({"anthropic": AnthropicAdapter()})
