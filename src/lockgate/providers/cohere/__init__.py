"""The cohere protocol: Cohere's v2 chat, embed and rerank."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.cohere.rows import ROWS

__all__ = ["ADAPTER_PATHS", "ROWS"]

# protocol -> (module, class) of its adapter, imported on first use (keeps `import
# lockgate` fast: only the rows are read at import time).
ADAPTER_PATHS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "cohere": ("lockgate.providers.cohere.adapter", "CohereAdapter"),
    }
)
