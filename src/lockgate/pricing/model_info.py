"""What lockgate knows about one model: limits, prices per token and capabilities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ModelInfo", "PriceTier"]


@dataclass(frozen=True, slots=True)
class PriceTier:
    """Prices that apply to the whole request when the prompt has more than ``above_tokens``.

    A price left ``None`` falls back to the model's base price for that kind of token.
    """

    above_tokens: int
    input_cost_per_token: float | None = None
    output_cost_per_token: float | None = None
    cache_read_input_token_cost: float | None = None
    cache_creation_input_token_cost: float | None = None
    output_cost_per_reasoning_token: float | None = None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One entry of the model table. Prices are USD per token; ``None`` means not published."""

    key: str
    provider: str | None
    mode: str | None
    max_input_tokens: int | None
    max_output_tokens: int | None
    input_cost_per_token: float | None
    output_cost_per_token: float | None
    cache_read_input_token_cost: float | None
    cache_creation_input_token_cost: float | None
    output_cost_per_reasoning_token: float | None
    # Capability names without LiteLLM's ``supports_`` prefix: "vision", "function_calling".
    supports: frozenset[str]
    # Capabilities the source explicitly marks as absent (e.g. "system_messages" for o1-mini);
    # a name in neither set is unknown.
    unsupported: frozenset[str] = frozenset()
    input_cost_per_audio_token: float | None = None
    output_cost_per_audio_token: float | None = None
    # Sorted by threshold, smallest first.
    tiers: tuple[PriceTier, ...] = ()
    deprecation_date: str | None = None

    @classmethod
    def from_entry(cls, key: str, entry: Mapping[str, Any]) -> ModelInfo:
        """Build from an entry as ``entry_schema.normalise_entry`` returns it."""
        return cls(
            key=key,
            provider=entry.get("provider"),
            mode=entry.get("mode"),
            max_input_tokens=entry.get("max_input_tokens"),
            max_output_tokens=entry.get("max_output_tokens"),
            input_cost_per_token=entry.get("input_cost_per_token"),
            output_cost_per_token=entry.get("output_cost_per_token"),
            cache_read_input_token_cost=entry.get("cache_read_input_token_cost"),
            cache_creation_input_token_cost=entry.get("cache_creation_input_token_cost"),
            output_cost_per_reasoning_token=entry.get("output_cost_per_reasoning_token"),
            supports=frozenset(entry.get("supports", ())),
            unsupported=frozenset(entry.get("unsupported", ())),
            input_cost_per_audio_token=entry.get("input_cost_per_audio_token"),
            output_cost_per_audio_token=entry.get("output_cost_per_audio_token"),
            tiers=tuple(PriceTier(**tier) for tier in entry.get("tiers", ())),
            deprecation_date=entry.get("deprecation_date"),
        )

    def has(self, capability: str) -> bool:
        """Whether the model is known to support ``capability`` ("vision" or "supports_vision")."""
        return capability.removeprefix("supports_") in self.supports

    def tier_for(self, prompt_tokens: int) -> PriceTier | None:
        """The highest tier whose threshold the prompt exceeds, if any."""
        chosen = None
        for tier in self.tiers:
            if prompt_tokens > tier.above_tokens:
                chosen = tier
        return chosen
