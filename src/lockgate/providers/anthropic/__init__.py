"""The anthropic protocol: Anthropic's Messages API (``anthropic/`` models).

Vertex AI serves the same protocol for Claude models; :mod:`lockgate.providers.gemini`
reuses this package's translation for ``vertex_ai/claude-...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.anthropic.rows import ANTHROPIC_ROW
from lockgate.providers.spec import ProviderSpec

__all__ = ["ADAPTER_PATHS", "ROWS"]

# Provider rows that speak this protocol.
ROWS: tuple[ProviderSpec, ...] = (ANTHROPIC_ROW,)

# protocol -> (module, class) of its adapter, imported on first use (keeps `import
# lockgate` fast: only the rows are read at import time).
ADAPTER_PATHS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "anthropic": ("lockgate.providers.anthropic.adapter", "AnthropicAdapter"),
    }
)
