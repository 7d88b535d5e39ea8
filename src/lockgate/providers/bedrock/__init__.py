"""The bedrock protocol: AWS Bedrock Runtime (Converse, ConverseStream, InvokeModel)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.base import ChatAdapter
from lockgate.providers.bedrock.adapter import BedrockAdapter
from lockgate.providers.bedrock.rows import ROWS

__all__ = ["ADAPTERS", "ROWS", "BedrockAdapter"]

# protocol name -> adapter instance.
ADAPTERS: Mapping[str, ChatAdapter] = MappingProxyType({"bedrock": BedrockAdapter()})
