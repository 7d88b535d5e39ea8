"""The ollama protocol: Ollama's native chat and embed API."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockgate.providers.base import ChatAdapter
from lockgate.providers.ollama.adapter import OllamaAdapter
from lockgate.providers.ollama.rows import ROWS

__all__ = ["ADAPTERS", "ROWS", "OllamaAdapter"]

# protocol name -> adapter instance.
ADAPTERS: Mapping[str, ChatAdapter] = MappingProxyType({"ollama": OllamaAdapter()})
