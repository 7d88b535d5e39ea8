"""Token usage, including cached, cache-write, reasoning and audio tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from lockgate.types.wire_model import WireModel

__all__ = ["CompletionTokensDetails", "PromptTokensDetails", "Usage"]


@dataclass(slots=True, eq=True)
class PromptTokensDetails(WireModel):
    cached_tokens: int = 0
    audio_tokens: int | None = None
    # Tokens written to the provider's prompt cache (Anthropic cache_creation_input_tokens).
    cache_write_tokens: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"audio_tokens", "cache_write_tokens"})


@dataclass(slots=True, eq=True)
class CompletionTokensDetails(WireModel):
    reasoning_tokens: int = 0
    audio_tokens: int | None = None
    accepted_prediction_tokens: int | None = None
    rejected_prediction_tokens: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    omit_when_none: ClassVar[frozenset[str]] = frozenset(
        {"audio_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens"}
    )


@dataclass(slots=True, eq=True)
class Usage(WireModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    omit_when_none: ClassVar[frozenset[str]] = frozenset(
        {"prompt_tokens_details", "completion_tokens_details"}
    )

    @property
    def cached_tokens(self) -> int:
        details = self.prompt_tokens_details
        return details.cached_tokens if details is not None else 0

    @property
    def cache_write_tokens(self) -> int:
        details = self.prompt_tokens_details
        if details is None or details.cache_write_tokens is None:
            return 0
        return details.cache_write_tokens

    @property
    def reasoning_tokens(self) -> int:
        details = self.completion_tokens_details
        return details.reasoning_tokens if details is not None else 0
