"""The bedrock protocol: AWS Bedrock Runtime (Converse, ConverseStream, InvokeModel)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.bedrock.rows import ROWS

__all__ = ["ADAPTER_PATHS", "ROWS"]

# protocol -> (module, class) of its adapter, imported on first use (keeps `import
# lockgate` fast: only the rows are read at import time).
ADAPTER_PATHS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "bedrock": ("lockgate.providers.bedrock.adapter", "BedrockAdapter"),
    }
)
