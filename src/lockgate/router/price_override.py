"""A deployment's own prices (``litellm_params`` or ``model_info`` ``input_cost_per_token``,
``output_cost_per_token``, ...) override the model table's, as in LiteLLM: a routed call's
``response_cost`` is recomputed with them.

The client prices a call by its model name alone; only the router knows which deployment
served it, so the override is applied here, once the usage is known.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from lockgate.errors import LockgateError
from lockgate.pricing import ModelInfo, get_model_info, usage_cost

if TYPE_CHECKING:
    from lockgate.config import DeploymentParams
    from lockgate.types import Usage

__all__ = ["deployment_prices", "priced"]

# model_info keys that set a price (LiteLLM's names); any of them makes the override.
_PRICE_KEYS: Final = (
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "output_cost_per_reasoning_token",
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _table_entry(model: str, provider: str | None) -> ModelInfo | None:
    head, sep, rest = model.partition("/")
    bare = rest if sep and provider == head else model
    try:
        return get_model_info(bare, provider)
    except LockgateError:
        return None


def deployment_prices(params: DeploymentParams, model_info: Mapping[str, Any]) -> ModelInfo | None:
    """The prices to charge this deployment's calls at, or None when it sets none of its
    own (the client's table price then stands). Prices it leaves unset come from the model
    table (``model_info.base_model`` first); the table's long-prompt tiers and per-kind
    prices are dropped, since they scale the table's rates, not the deployment's."""
    own: dict[str, Any] = {}
    for key in _PRICE_KEYS:
        value = _number(model_info.get(key))
        if value is not None:
            own[key] = value
    if params.input_cost_per_token is not None:
        own["input_cost_per_token"] = params.input_cost_per_token
    if params.output_cost_per_token is not None:
        own["output_cost_per_token"] = params.output_cost_per_token
    if not own:
        return None
    base_model = model_info.get("base_model")
    table = (
        None
        if "*" in params.model
        else _table_entry(
            base_model if isinstance(base_model, str) else params.model, params.provider
        )
    )
    if table is None:
        table = ModelInfo(
            key=params.model,
            provider=params.provider,
            mode=None,
            max_input_tokens=None,
            max_output_tokens=None,
            input_cost_per_token=None,
            output_cost_per_token=None,
            cache_read_input_token_cost=None,
            cache_creation_input_token_cost=None,
            output_cost_per_reasoning_token=None,
            supports=frozenset(),
        )
    # The table's per-kind prices (cache, reasoning, audio) scale with its base rates: with
    # the deployment's own rates they fall back to them, unless model_info sets them.
    derived: dict[str, Any] = {
        "cache_read_input_token_cost": None,
        "cache_creation_input_token_cost": None,
        "output_cost_per_reasoning_token": None,
        "input_cost_per_audio_token": None,
        "output_cost_per_audio_token": None,
        "tiers": (),
    }
    return dataclasses.replace(table, **{**derived, **own})


def priced(prices: ModelInfo | None, usage: Usage | None, reported: Any) -> Any:
    """The cost to report: at the deployment's prices when it has them and usage is known,
    else what the client reported."""
    if prices is None or usage is None:
        return reported
    return usage_cost(usage, prices)
