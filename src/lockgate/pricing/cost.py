"""The cost in USD of one call's token usage.

Usage follows OpenAI's convention: every ``*_tokens_details`` count is a part of its total.
``prompt_tokens`` includes cache reads (``cached_tokens``), cache writes
(``cache_write_tokens``) and audio; ``completion_tokens`` includes reasoning and audio. Each
part is charged at its own price; a part whose price the table lacks is charged as plain
input (or output) tokens, which is how the providers bill it. When the prompt is larger than
a tier threshold (``..._above_200k_tokens``), the tier's prices apply to the whole call.
"""

from __future__ import annotations

from lockgate.pricing.model_info import ModelInfo, PriceTier
from lockgate.pricing.model_table import ModelTable
from lockgate.types.usage import CompletionTokensDetails, PromptTokensDetails, Usage

__all__ = ["cost_for_usage", "usage_cost"]

# Below every threshold: each price falls through to the model's base price.
_NO_TIER = PriceTier(above_tokens=0)


def cost_for_usage(
    usage: Usage, model: str, provider: str | None = None, *, table: ModelTable | None = None
) -> float | None:
    """USD cost of ``usage`` on ``model``; ``None`` when the model or its prices are unknown."""
    info = (table or ModelTable.packaged()).lookup(model, provider)
    return None if info is None else usage_cost(usage, info)


def usage_cost(usage: Usage, info: ModelInfo) -> float | None:
    """USD cost of ``usage`` at the prices of ``info``; ``None`` if it has no token prices."""
    if info.input_cost_per_token is None and info.output_cost_per_token is None:
        return None  # priced per image, second, query...: not a token model
    prompt = max(usage.prompt_tokens, 0)
    completion = max(usage.completion_tokens, 0)
    tier = info.tier_for(prompt) or _NO_TIER
    input_price = _or(tier.input_cost_per_token, info.input_cost_per_token, 0.0)
    output_price = _or(tier.output_cost_per_token, info.output_cost_per_token, 0.0)
    details_in = usage.prompt_tokens_details
    details_out = usage.completion_tokens_details
    if _no_parts(details_in, details_out):
        # No parts, or all of them zero (the usual answer): the sum below with every part
        # zero, for less work.
        return prompt * input_price + completion * output_price
    cache_read_price = _or(
        tier.cache_read_input_token_cost, info.cache_read_input_token_cost, input_price
    )
    cache_write_price = _or(
        tier.cache_creation_input_token_cost, info.cache_creation_input_token_cost, input_price
    )
    reasoning_price = _or(
        tier.output_cost_per_reasoning_token, info.output_cost_per_reasoning_token, output_price
    )
    audio_in_price = _or(info.input_cost_per_audio_token, None, input_price)
    audio_out_price = _or(info.output_cost_per_audio_token, None, output_price)

    # Clamp every part to what is left of its total, so inconsistent counts never go negative.
    cached = _part(usage.cached_tokens, prompt)
    writes = _part(usage.cache_write_tokens, prompt - cached)
    audio_in = _part(details_in.audio_tokens if details_in else 0, prompt - cached - writes)
    text_in = prompt - cached - writes - audio_in
    reasoning = _part(usage.reasoning_tokens, completion)
    audio_out = _part(details_out.audio_tokens if details_out else 0, completion - reasoning)
    text_out = completion - reasoning - audio_out
    return (
        text_in * input_price
        + cached * cache_read_price
        + writes * cache_write_price
        + audio_in * audio_in_price
        + text_out * output_price
        + reasoning * reasoning_price
        + audio_out * audio_out_price
    )


def _no_parts(
    details_in: PromptTokensDetails | None, details_out: CompletionTokensDetails | None
) -> bool:
    """Whether every part of the usage is zero or absent (OpenAI sends the details with
    zeros in them)."""
    return (
        details_in is None
        or not (
            details_in.cached_tokens or details_in.cache_write_tokens or details_in.audio_tokens
        )
    ) and (details_out is None or not (details_out.reasoning_tokens or details_out.audio_tokens))


def _or(first: float | None, second: float | None, fallback: float) -> float:
    """The first price that is set."""
    if first is not None:
        return first
    return fallback if second is None else second


def _part(count: int | None, available: int) -> int:
    return min(max(count or 0, 0), max(available, 0))
