"""The gemini protocol: rows and adapter (filled in by its module)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.base import ChatAdapter
from lockgate.providers.spec import ProviderSpec

__all__ = ["ADAPTERS", "ROWS"]

# Provider rows that speak this protocol.
ROWS: tuple[ProviderSpec, ...] = ()
# protocol name -> adapter instance.
ADAPTERS: Mapping[str, ChatAdapter] = MappingProxyType({})
