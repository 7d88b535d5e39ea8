"""The gemini and vertex protocols: Google AI Studio's Gemini API and Vertex AI.

Vertex AI serves Gemini with the same translation and Claude with the Anthropic one
(:mod:`lockgate.providers.anthropic`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.gemini.rows import GEMINI_ROW, VERTEX_ROW
from lockgate.providers.spec import ProviderSpec

__all__ = ["ADAPTER_PATHS", "ROWS"]

# Provider rows that speak this protocol.
ROWS: tuple[ProviderSpec, ...] = (GEMINI_ROW, VERTEX_ROW)

# protocol -> (module, class) of its adapter, imported on first use (keeps `import
# lockgate` fast: only the rows are read at import time).
ADAPTER_PATHS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "gemini": ("lockgate.providers.gemini.adapter", "GeminiAdapter"),
        "vertex": ("lockgate.providers.gemini.vertex_adapter", "VertexAdapter"),
    }
)
