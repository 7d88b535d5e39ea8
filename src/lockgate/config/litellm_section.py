"""``litellm_settings`` (also spelled ``settings``): module-wide defaults and logging."""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

from lockgate.config.litellm_keys import CACHE_TYPES, LITELLM_SETTINGS, REFUSED
from lockgate.config.routing_values import as_fallbacks
from lockgate.config.section_reader import SectionReader
from lockgate.config.settings_model import LitellmSettings, PlainMap
from lockgate.config.values import Context, as_plain_map, as_str, as_str_tuple, error_at
from lockgate.config.yaml_nodes import YNode, child_path

__all__ = ["LITELLM_IMPLEMENTED", "as_duration", "read_litellm_settings"]

LITELLM_IMPLEMENTED: Final = frozenset(
    {
        "drop_params",
        "num_retries",
        "request_timeout",
        "fallbacks",
        "context_window_fallbacks",
        "content_policy_fallbacks",
        "default_fallbacks",
        "cache",
        "cache_params",
        "success_callback",
        "failure_callback",
        "callbacks",
        "json_logs",
        "turn_off_message_logging",
        "max_budget",
        "budget_duration",
    }
)

# LiteLLM durations: "30s", "10m", "12h", "30d", "1w", "1mo".
_DURATION: Final = re.compile(r"[1-9][0-9]*(s|m|h|d|w|mo)")


def as_duration(node: YNode, path: str, ctx: Context) -> str:
    value = as_str(node, path, ctx).strip()
    if not _DURATION.fullmatch(value):
        raise error_at(
            node, path, f"expected a duration such as 30s, 12h, 30d or 1mo, got {value!r}"
        )
    return value


def _cache_params(node: YNode, path: str, ctx: Context) -> PlainMap:
    params = as_plain_map(node, path, ctx)
    kind = params.get("type", "redis")  # LiteLLM's default cache type
    if not isinstance(kind, str) or kind not in CACHE_TYPES:
        choices = ", ".join(sorted(CACHE_TYPES))
        raise error_at(node, child_path(path, "type"), f"unknown cache type; one of: {choices}")
    return MappingProxyType({**params, "type": kind})


def read_litellm_settings(node: YNode | None, path: str, ctx: Context) -> LitellmSettings:
    r = SectionReader(
        node,
        path,
        ctx,
        implemented=LITELLM_IMPLEMENTED,
        documented=LITELLM_SETTINGS,
        refused=REFUSED["litellm_settings"],
    )
    defaults = LitellmSettings()
    settings = LitellmSettings(
        drop_params=r.flag("drop_params", False),
        num_retries=r.opt_int("num_retries"),
        request_timeout=r.opt_float("request_timeout"),
        fallbacks=r.get("fallbacks", as_fallbacks, defaults.fallbacks),
        context_window_fallbacks=r.get(
            "context_window_fallbacks", as_fallbacks, defaults.context_window_fallbacks
        ),
        content_policy_fallbacks=r.get(
            "content_policy_fallbacks", as_fallbacks, defaults.content_policy_fallbacks
        ),
        default_fallbacks=r.get("default_fallbacks", as_str_tuple, ()),
        cache=r.flag("cache", False),
        cache_params=r.get("cache_params", _cache_params, defaults.cache_params),
        success_callback=r.str_tuple("success_callback"),
        failure_callback=r.str_tuple("failure_callback"),
        callbacks=r.str_tuple("callbacks"),
        json_logs=r.flag("json_logs", False),
        turn_off_message_logging=r.flag("turn_off_message_logging", False),
        max_budget=r.opt_float("max_budget"),
        budget_duration=r.opt("budget_duration", as_duration),
    )
    r.finish()
    return settings
