"""The worst-case cost of a request, reserved against budgets before it is sent.

Worst case = (estimated prompt tokens * a safety margin) * input price + (``max_tokens``,
or the model's output limit) * output price, at the dearest deployment of the model group
and of the groups it may fall back to. A model without known prices reserves nothing (its
budget still refuses requests once spent).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from lockgate.config import Config, DeploymentConfig
from lockgate.limits.buckets import NANO
from lockgate.pricing import ModelTable, estimate_prompt_tokens, estimate_tokens

__all__ = ["DEFAULT_MAX_OUTPUT_TOKENS", "ModelPrice", "PriceBook", "WorstCase"]

DEFAULT_MAX_OUTPUT_TOKENS: Final = 8192
# Prompt estimates are estimates: reserve for a little more than the estimate.
PROMPT_MARGIN: Final = 1.2
PROMPT_SLACK: Final = 32


@dataclass(frozen=True, slots=True)
class ModelPrice:
    input_per_token: float = 0.0
    output_per_token: float = 0.0
    max_output_tokens: int | None = None

    def dearest(self, other: ModelPrice) -> ModelPrice:
        outputs = [v for v in (self.max_output_tokens, other.max_output_tokens) if v]
        return ModelPrice(
            max(self.input_per_token, other.input_per_token),
            max(self.output_per_token, other.output_per_token),
            max(outputs) if outputs else None,
        )


# (cost in nano-USD, estimated prompt tokens): a plain tuple, built once per request.
WorstCase = tuple[int, int]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _deployment_price(deployment: DeploymentConfig, table: ModelTable) -> ModelPrice:
    params, info = deployment.params, deployment.model_info
    known = table.lookup(params.model, params.provider)
    input_price = (
        params.input_cost_per_token
        or _number(info.get("input_cost_per_token"))
        or (known.input_cost_per_token if known else None)
        or 0.0
    )
    output_price = (
        params.output_cost_per_token
        or _number(info.get("output_cost_per_token"))
        or (known.output_cost_per_token if known else None)
        or 0.0
    )
    max_output = _number(info.get("max_output_tokens")) or _number(info.get("max_tokens"))
    if max_output is None and known is not None:
        max_output = known.max_output_tokens
    return ModelPrice(input_price, output_price, int(max_output) if max_output else None)


class PriceBook:
    def __init__(self, prices: Mapping[str, ModelPrice], table: ModelTable | None = None) -> None:
        self._prices = dict(prices)
        self._table = table

    @classmethod
    def from_config(cls, config: Config, table: ModelTable | None = None) -> PriceBook:
        table = table or ModelTable.packaged()
        groups: dict[str, ModelPrice] = {}
        for deployment in config.model_list:
            price = _deployment_price(deployment, table)
            old = groups.get(deployment.model_name)
            groups[deployment.model_name] = price if old is None else old.dearest(price)
        fallbacks = {**config.settings.fallbacks, **config.router.fallbacks}
        everywhere = fallbacks.get("*", ())
        prices = dict(groups)
        for name in groups:
            for other in (*fallbacks.get(name, ()), *everywhere):
                if other in groups:
                    prices[name] = prices[name].dearest(groups[other])
        for alias, target in config.router.model_group_alias.items():
            if target.model in prices:
                prices[alias] = prices[target.model]
        return cls(prices, table)

    def price(self, model: str) -> ModelPrice:
        known = self._prices.get(model)
        if known is not None:
            return known
        info = self._table.lookup(model) if self._table is not None else None
        if info is None:
            return ModelPrice()
        return ModelPrice(
            info.input_cost_per_token or 0.0,
            info.output_cost_per_token or 0.0,
            info.max_output_tokens,
        )

    def usage_cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
        """Cost at the group's (dearest) configured prices; None when it has none."""
        price = self.price(model)
        if not price.input_per_token and not price.output_per_token:
            return None
        return prompt_tokens * price.input_per_token + completion_tokens * price.output_per_token

    def worst_case(self, model: str, route: str, body: Mapping[str, Any]) -> WorstCase:
        price = self._prices.get(model) or self.price(model)
        prompt = _prompt_tokens(route, body)
        reserved_prompt = math.ceil(prompt * PROMPT_MARGIN) + PROMPT_SLACK if prompt else 0
        output = 0
        if route in _GENERATING:
            asked = body.get("max_completion_tokens") or body.get("max_tokens")
            if isinstance(asked, int) and not isinstance(asked, bool) and asked > 0:
                output = asked
            else:
                output = price.max_output_tokens or DEFAULT_MAX_OUTPUT_TOKENS
        usd = reserved_prompt * price.input_per_token + output * price.output_per_token
        return math.ceil(usd * NANO), prompt


_GENERATING: Final = frozenset({"chat", "completions", "messages"})  # routes with an output


def _prompt_tokens(route: str, body: Mapping[str, Any]) -> int:
    try:
        if route == "chat" or route == "messages":
            messages = body.get("messages")
            if not isinstance(messages, list):
                return 0
            tools = body.get("tools")
            total = estimate_prompt_tokens(messages, tools if isinstance(tools, list) else None)
            system = body.get("system")  # Anthropic's top-level system prompt
            if isinstance(system, str):
                total += estimate_tokens(system)
            return total
        value = body.get("prompt") if route == "completions" else body.get("input")
        if isinstance(value, str):
            return estimate_tokens(value)
        if isinstance(value, list):
            return sum(estimate_tokens(v) for v in value if isinstance(v, str))
    except (TypeError, ValueError, AttributeError):
        return 0
    return 0
