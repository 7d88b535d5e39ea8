"""The schema of one model-table entry: LiteLLM's spelling in, lockgate's compact form out.

The packaged table, operator override files and the build script all go through
:func:`normalise_entry`, so there is one parser and one set of validation rules. It accepts
LiteLLM's ``model_cost`` entry fields (``litellm_provider``, ``supports_vision: true``,
``input_cost_per_token_above_200k_tokens``, ``tiered_pricing``) and its own compact form
(``provider``, ``supports: [...]``, ``tiers: [...]``); normalising twice changes nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "BASE_PRICE_FIELDS",
    "TIER_PRICE_FIELDS",
    "EntryError",
    "denormalise_entry",
    "normalise_entry",
]

# Prices per token (USD) that cost computation uses.
BASE_PRICE_FIELDS = (
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "output_cost_per_reasoning_token",
    "input_cost_per_audio_token",
    "output_cost_per_audio_token",
)
# The prices that change when a prompt is larger than a tier's threshold.
TIER_PRICE_FIELDS = (
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "output_cost_per_reasoning_token",
)
_LIMIT_FIELDS = ("max_input_tokens", "max_output_tokens")
_TEXT_FIELDS = ("mode", "deprecation_date")

# ``input_cost_per_token_above_200k_tokens`` (LiteLLM also writes ``_above_128000_tokens``).
# Anchored at the end so service-tier variants (``..._tokens_priority``) are not taken for it.
_FLAT_TIER_KEY = re.compile(
    r"^(?P<field>" + "|".join(TIER_PRICE_FIELDS) + r")_above_(?P<n>\d+)(?P<k>k?)_tokens$"
)
_SUPPORTS_PREFIX = "supports_"


class EntryError(ValueError):
    """An entry has a value of the wrong type or range (names the entry and the field)."""


def normalise_entry(raw: Mapping[str, Any], *, where: str = "entry") -> dict[str, Any]:
    """Select and check the fields lockgate uses; return the compact form (no null fields)."""
    out: dict[str, Any] = {}
    provider = raw.get("provider", raw.get("litellm_provider"))
    if provider is not None:
        out["provider"] = _text(provider, where, "litellm_provider")
    for name in _TEXT_FIELDS:
        if raw.get(name) is not None:
            out[name] = _text(raw[name], where, name)
    for name in _LIMIT_FIELDS:
        if raw.get(name) is not None:
            out[name] = _count(raw[name], where, name)
    for name in BASE_PRICE_FIELDS:
        if raw.get(name) is not None:
            out[name] = _price(raw[name], where, name)
    tiers = _tiers(raw, out, where)
    if tiers:
        out["tiers"] = tiers
    supported, unsupported = _capabilities(raw, where)
    if supported:
        out["supports"] = sorted(supported)
    if unsupported:
        out["unsupported"] = sorted(unsupported)
    return out


def denormalise_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The compact form written back in LiteLLM's spelling, so an override can ``update`` it.

    Overrides follow LiteLLM's ``register_model`` semantics: the operator's fields replace the
    packaged entry's fields one by one. That is only exact when both sides are in one spelling.
    """
    raw: dict[str, Any] = {}
    for key, value in entry.items():
        if key == "provider":
            raw["litellm_provider"] = value
        elif key == "supports":
            raw.update({f"{_SUPPORTS_PREFIX}{name}": True for name in value})
        elif key == "unsupported":
            raw.update({f"{_SUPPORTS_PREFIX}{name}": False for name in value})
        elif key == "tiers":
            for tier in value:
                above = tier["above_tokens"]
                suffix = f"{above // 1000}k" if above % 1000 == 0 else str(above)
                for field in TIER_PRICE_FIELDS:
                    if field in tier:
                        raw[f"{field}_above_{suffix}_tokens"] = tier[field]
        else:
            raw[key] = value
    return raw


def _tiers(raw: Mapping[str, Any], out: dict[str, Any], where: str) -> list[dict[str, Any]]:
    by_threshold: dict[int, dict[str, Any]] = {}
    for tier in _list(raw, "tiers", where):
        if not isinstance(tier, Mapping):
            raise EntryError(f"{where}: tiers must be a list of objects")
        above = _count(tier.get("above_tokens"), where, "tiers.above_tokens")
        _tier_prices(tier, by_threshold.setdefault(above, {}), where)
    for key, value in raw.items():
        match = _FLAT_TIER_KEY.match(key)
        if match is None or value is None:
            continue
        above = int(match["n"]) * (1000 if match["k"] else 1)
        by_threshold.setdefault(above, {})[match["field"]] = _price(value, where, key)
    _range_tiers(raw.get("tiered_pricing"), out, by_threshold, where)
    return [
        {"above_tokens": above, **prices}
        for above, prices in sorted(by_threshold.items())
        if prices
    ]


def _range_tiers(
    tiered: Any, out: dict[str, Any], by_threshold: dict[int, dict[str, Any]], where: str
) -> None:
    """LiteLLM's ``tiered_pricing`` list of ``{"range": [lo, hi], prices...}``.

    The tier starting at 0 gives the base prices; every later tier applies to prompts of more
    than ``lo`` tokens (the same rule as the ``_above_`` fields). Tiers without a token range
    (per-query search pricing) are not token prices and are skipped.
    """
    if not isinstance(tiered, list):
        return
    for tier in tiered:
        if not isinstance(tier, Mapping):
            continue
        bounds = tier.get("range")
        if not isinstance(bounds, list | tuple) or len(bounds) != 2 or bounds[0] is None:
            continue
        low = _count(bounds[0], where, "tiered_pricing.range")
        target = out if low == 0 else by_threshold.setdefault(low, {})
        _tier_prices(tier, target, where)


def _tier_prices(tier: Mapping[str, Any], target: dict[str, Any], where: str) -> None:
    for field in TIER_PRICE_FIELDS:
        if tier.get(field) is not None:
            target[field] = _price(tier[field], where, field)


def _capabilities(raw: Mapping[str, Any], where: str) -> tuple[set[str], set[str]]:
    supported: set[str] = set()
    unsupported: set[str] = set()
    for name in _list(raw, "supports", where):
        supported.add(_capability_name(_text(name, where, "supports")))
    for name in _list(raw, "unsupported", where):
        unsupported.add(_capability_name(_text(name, where, "unsupported")))
    for key, value in raw.items():
        if not key.startswith(_SUPPORTS_PREFIX) or value is None:
            continue
        if not isinstance(value, bool):
            raise EntryError(f"{where}: {key} must be true or false, not {value!r}")
        name = key[len(_SUPPORTS_PREFIX) :]
        (supported if value else unsupported).add(name)
        (unsupported if value else supported).discard(name)
    return supported, unsupported


def _list(raw: Mapping[str, Any], name: str, where: str) -> list[Any]:
    value = raw.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise EntryError(f"{where}: {name} must be a list, not {value!r}")
    return value


def _capability_name(name: str) -> str:
    return name.removeprefix(_SUPPORTS_PREFIX)


def _text(value: Any, where: str, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise EntryError(f"{where}: {name} must be a non-empty string, not {value!r}")
    return value


def _count(value: Any, where: str, name: str) -> int:
    # LiteLLM's file has a few limits written as floats (2000000.0).
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise EntryError(f"{where}: {name} must be a whole number >= 0, not {value!r}")
    return value


def _price(value: Any, where: str, name: str) -> float:
    # YAML reads ``3e-07`` (no dot) as a string; LiteLLM accepts numeric strings too.
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise EntryError(f"{where}: {name} must be a number, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EntryError(f"{where}: {name} must be a number, not {value!r}")
    price = float(value)
    if not math.isfinite(price) or price < 0:
        raise EntryError(f"{where}: {name} must be a finite number >= 0, not {value!r}")
    return price
