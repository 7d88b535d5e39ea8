"""Model prices, limits and capabilities; cost of a call; fast token estimates.

The table ships inside the package (``model_table.json``, generated from LiteLLM's published
prices by ``scripts/build_model_table.py``) and is read on first use, never at import time
and never over the network. Operators change it only with an override file
(:meth:`ModelTable.with_overrides`).
"""

from lockgate.pricing.cost import cost_for_usage, usage_cost
from lockgate.pricing.entry_schema import EntryError, normalise_entry
from lockgate.pricing.model_info import ModelInfo, PriceTier
from lockgate.pricing.model_table import ModelTable, get_model_info
from lockgate.pricing.token_estimator import estimate_prompt_tokens, estimate_tokens

__all__ = [
    "EntryError",
    "ModelInfo",
    "ModelTable",
    "PriceTier",
    "cost_for_usage",
    "estimate_prompt_tokens",
    "estimate_tokens",
    "get_model_info",
    "normalise_entry",
    "usage_cost",
]
