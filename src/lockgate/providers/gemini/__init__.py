"""The gemini and vertex protocols: Google AI Studio's Gemini API and Vertex AI.

Vertex AI serves Gemini with the same translation and Claude with the Anthropic one
(:mod:`lockgate.providers.anthropic`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.base import ChatAdapter
from lockgate.providers.gemini.adapter import GeminiAdapter
from lockgate.providers.gemini.rows import GEMINI_ROW, VERTEX_ROW
from lockgate.providers.gemini.vertex_adapter import VertexAdapter
from lockgate.providers.spec import ProviderSpec

__all__ = ["ADAPTERS", "ROWS", "GeminiAdapter", "VertexAdapter"]

# Provider rows that speak these protocols.
ROWS: tuple[ProviderSpec, ...] = (GEMINI_ROW, VERTEX_ROW)
# protocol name -> adapter instance.
ADAPTERS: Mapping[str, ChatAdapter] = MappingProxyType(
    {"gemini": GeminiAdapter(), "vertex": VertexAdapter()}
)
