"""Prices and context size of a deployment: its own settings first, then the model table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lockgate.errors import LockgateError
from lockgate.pricing import get_model_info

if TYPE_CHECKING:
    from lockgate.config import DeploymentParams

__all__ = ["ModelFacts", "facts_for"]


@dataclass(frozen=True, slots=True)
class ModelFacts:
    input_cost_per_token: float | None = None
    output_cost_per_token: float | None = None
    max_input_tokens: int | None = None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def facts_for(params: DeploymentParams, model_info: Mapping[str, Any]) -> ModelFacts:
    """``litellm_params`` prices, then ``model_info``, then lockgate's model table
    (looked up by ``model_info.base_model`` when given, as LiteLLM does for Azure)."""
    input_cost = params.input_cost_per_token
    if input_cost is None:
        input_cost = _number(model_info.get("input_cost_per_token"))
    output_cost = params.output_cost_per_token
    if output_cost is None:
        output_cost = _number(model_info.get("output_cost_per_token"))
    raw_max = _number(model_info.get("max_input_tokens"))
    max_input = int(raw_max) if raw_max is not None else None
    if (input_cost is None or output_cost is None or max_input is None) and "*" not in params.model:
        base = model_info.get("base_model")
        table = _table_entry(base if isinstance(base, str) else params.model, params.provider)
        if table is not None:
            input_cost = input_cost if input_cost is not None else table.input_cost_per_token
            output_cost = output_cost if output_cost is not None else table.output_cost_per_token
            max_input = max_input if max_input is not None else table.max_input_tokens
    return ModelFacts(input_cost, output_cost, max_input)


def _table_entry(model: str, provider: str | None) -> ModelFacts | None:
    head, sep, rest = model.partition("/")
    bare = rest if sep and provider == head else model
    try:
        info = get_model_info(bare, provider)
    except LockgateError:
        return None
    return ModelFacts(info.input_cost_per_token, info.output_cost_per_token, info.max_input_tokens)
