"""Rerank response type (Cohere's shape, which LiteLLM's ``rerank`` returns too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from lockgate.types.wire_model import WireModel

__all__ = ["RerankResponse", "RerankResult"]


@dataclass(slots=True, eq=True)
class RerankResult(WireModel):
    index: int = 0
    relevance_score: float = 0.0
    # {"text": ...} when the caller asked for return_documents.
    document: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"document"})


@dataclass(slots=True, eq=True)
class RerankResponse(WireModel):
    id: str = ""
    results: list[RerankResult] = field(default_factory=list)
    # Cohere's meta: {"api_version": ..., "billed_units": {"search_units": 1}}.
    meta: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _hidden_params: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"meta"})
