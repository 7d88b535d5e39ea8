"""``router_settings``: how requests are spread over deployments, retried and failed over."""

from __future__ import annotations

from typing import Final

from lockgate.config.errors import ConfigError
from lockgate.config.litellm_keys import ROUTER_SETTINGS, ROUTING_STRATEGIES
from lockgate.config.routing_values import (
    as_allowed_fails_policy,
    as_fallbacks,
    as_group_retry_policy,
    as_model_group_alias,
    as_retry_policy,
)
from lockgate.config.section_reader import SectionReader
from lockgate.config.settings_model import RouterSettings
from lockgate.config.values import Context, as_str, as_str_tuple, error_at
from lockgate.config.yaml_nodes import YNode

__all__ = ["ROUTER_IMPLEMENTED", "read_router_settings"]

ROUTER_IMPLEMENTED: Final = frozenset(
    {
        "routing_strategy",
        "routing_strategy_args",
        "num_retries",
        "max_fallbacks",
        "timeout",
        "stream_timeout",
        "retry_after",
        "allowed_fails",
        "cooldown_time",
        "disable_cooldowns",
        "fallbacks",
        "context_window_fallbacks",
        "content_policy_fallbacks",
        "default_fallbacks",
        "model_group_alias",
        "retry_policy",
        "model_group_retry_policy",
        "allowed_fails_policy",
        "enable_pre_call_checks",
        "enable_tag_filtering",
        "tag_filtering_match_any",
        "default_max_parallel_requests",
        "default_litellm_params",
        "redis_host",
        "redis_port",
        "redis_password",
        "redis_url",
        "health_check_interval",  # read only to say where it belongs
    }
)


def _strategy(node: YNode, path: str, ctx: Context) -> str:
    name = as_str(node, path, ctx)
    if name not in ROUTING_STRATEGIES:
        choices = ", ".join(ROUTING_STRATEGIES)
        raise error_at(node, path, f"unknown routing strategy {name!r}; one of: {choices}")
    return name


def read_router_settings(node: YNode | None, ctx: Context) -> RouterSettings:
    r = SectionReader(
        node, "router_settings", ctx, implemented=ROUTER_IMPLEMENTED, documented=ROUTER_SETTINGS
    )
    misplaced = r.entry("health_check_interval")
    if misplaced is not None:
        raise ConfigError(
            "not a router setting: move it to general_settings",
            source=misplaced.value.source,
            line=misplaced.key_line,
            path=r.key_path("health_check_interval"),
        )
    defaults = RouterSettings()
    settings = RouterSettings(
        routing_strategy=r.get("routing_strategy", _strategy, "simple-shuffle"),
        routing_strategy_args=r.plain_map("routing_strategy_args"),
        num_retries=r.opt_int("num_retries"),
        max_fallbacks=r.opt_int("max_fallbacks"),
        timeout=r.opt_float("timeout"),
        stream_timeout=r.opt_float("stream_timeout"),
        retry_after=r.opt_float("retry_after"),
        allowed_fails=r.opt_int("allowed_fails"),
        cooldown_time=r.opt_float("cooldown_time"),
        disable_cooldowns=r.flag("disable_cooldowns", False),
        fallbacks=r.get("fallbacks", as_fallbacks, defaults.fallbacks),
        context_window_fallbacks=r.get(
            "context_window_fallbacks", as_fallbacks, defaults.context_window_fallbacks
        ),
        content_policy_fallbacks=r.get(
            "content_policy_fallbacks", as_fallbacks, defaults.content_policy_fallbacks
        ),
        default_fallbacks=r.get("default_fallbacks", as_str_tuple, ()),
        model_group_alias=r.get(
            "model_group_alias", as_model_group_alias, defaults.model_group_alias
        ),
        retry_policy=r.get("retry_policy", as_retry_policy, defaults.retry_policy),
        model_group_retry_policy=r.get(
            "model_group_retry_policy",
            as_group_retry_policy,
            defaults.model_group_retry_policy,
        ),
        allowed_fails_policy=r.get(
            "allowed_fails_policy", as_allowed_fails_policy, defaults.allowed_fails_policy
        ),
        enable_pre_call_checks=r.flag("enable_pre_call_checks", False),
        enable_tag_filtering=r.flag("enable_tag_filtering", False),
        tag_filtering_match_any=r.flag("tag_filtering_match_any", True),
        default_max_parallel_requests=r.opt_int("default_max_parallel_requests", minimum=1),
        default_litellm_params=r.plain_map("default_litellm_params"),
        redis_host=r.opt_str("redis_host"),
        redis_port=r.opt_int("redis_port", minimum=1, maximum=65535),
        redis_password=r.opt_secret("redis_password"),
        redis_url=r.opt_secret("redis_url"),
    )
    r.finish()
    return settings
