"""OpenAI embeddings and legacy text-completion response types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lockgate.types.usage import Usage
from lockgate.types.wire_model import PricedResponse, WireModel

__all__ = ["Embedding", "EmbeddingResponse", "TextChoice", "TextCompletion"]


@dataclass(slots=True, eq=True)
class Embedding(WireModel):
    object: str = "embedding"
    index: int = 0
    # A list of floats, or a base64 string when encoding_format="base64".
    embedding: list[float] | str = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, eq=True)
class EmbeddingResponse(PricedResponse):
    object: str = "list"
    data: list[Embedding] = field(default_factory=list)
    model: str = ""
    usage: Usage | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _hidden_params: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(slots=True, eq=True)
class TextChoice(WireModel):
    index: int = 0
    text: str = ""
    finish_reason: str | None = None
    logprobs: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, eq=True)
class TextCompletion(PricedResponse):
    id: str = ""
    object: str = "text_completion"
    created: int = 0
    model: str = ""
    choices: list[TextChoice] = field(default_factory=list)
    usage: Usage | None = None
    system_fingerprint: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _hidden_params: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
