"""The azure protocol: Azure OpenAI (deployment and v1 routes) and Azure AI inference."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.azure.adapter import AzureAdapter
from lockgate.providers.azure.rows import ROWS
from lockgate.providers.base import ChatAdapter

__all__ = ["ADAPTERS", "ROWS", "AzureAdapter"]

# protocol name -> adapter instance.
ADAPTERS: Mapping[str, ChatAdapter] = MappingProxyType({"azure": AzureAdapter()})
