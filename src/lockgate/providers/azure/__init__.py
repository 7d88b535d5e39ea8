"""The azure protocol: Azure OpenAI (deployment and v1 routes) and Azure AI inference."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.azure.rows import ROWS

__all__ = ["ADAPTER_PATHS", "ROWS"]

# protocol -> (module, class) of its adapter, imported on first use (keeps `import
# lockgate` fast: only the rows are read at import time).
ADAPTER_PATHS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "azure": ("lockgate.providers.azure.adapter", "AzureAdapter"),
    }
)
