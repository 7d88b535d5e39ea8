"""The cohere protocol: Cohere's v2 chat, embed and rerank."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.base import ChatAdapter
from lockgate.providers.cohere.adapter import CohereAdapter
from lockgate.providers.cohere.rows import ROWS

__all__ = ["ADAPTERS", "ROWS", "CohereAdapter"]

# protocol name -> adapter instance.
ADAPTERS: Mapping[str, ChatAdapter] = MappingProxyType({"cohere": CohereAdapter()})
