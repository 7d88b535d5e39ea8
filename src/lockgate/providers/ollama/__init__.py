"""The ollama protocol: Ollama's native chat and embed API."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.ollama.rows import ROWS

__all__ = ["ADAPTER_PATHS", "ROWS"]

# protocol -> (module, class) of its adapter, imported on first use (keeps `import
# lockgate` fast: only the rows are read at import time).
ADAPTER_PATHS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "ollama": ("lockgate.providers.ollama.adapter", "OllamaAdapter"),
    }
)
