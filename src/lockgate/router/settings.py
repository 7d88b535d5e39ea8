"""The router's settings: LiteLLM-style keyword arguments are validated by the config
module (the same code that reads ``router_settings`` from a YAML file), then resolved into
the policies the router runs with, defaults applied.

Precedence: ``router_settings``, then ``litellm_settings`` (as in LiteLLM), then defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import orjson

from lockgate.router.cooldown import CooldownPolicy
from lockgate.router.deployment import thaw
from lockgate.router.fallbacks import FallbackTable
from lockgate.router.retries import RetrySettings
from lockgate.security import Secret

if TYPE_CHECKING:
    from lockgate.config import Config, LitellmSettings, RouterSettings

__all__ = [
    "DEFAULT_ALLOWED_FAILS",
    "DEFAULT_COOLDOWN_TIME",
    "DEFAULT_NUM_RETRIES",
    "RouterPolicy",
    "config_from_arguments",
]

# LiteLLM's defaults: openai's DEFAULT_MAX_RETRIES, 3 allowed fails a minute, 5 s cooldown.
DEFAULT_NUM_RETRIES: Final = 2
DEFAULT_ALLOWED_FAILS: Final = 3
DEFAULT_COOLDOWN_TIME: Final = 5.0
DEFAULT_MAX_FALLBACKS: Final = 5


def _json_default(value: Any) -> Any:
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not a configuration value")


def config_from_arguments(
    model_list: Any, router_settings: Mapping[str, Any], env: Mapping[str, str]
) -> Config:
    """Validate ``Router(model_list=..., **settings)`` exactly as a config file would be
    (``os.environ/NAME`` references included). Raises ConfigError naming the bad key."""
    # Imported here: the config loader (and PyYAML) load when a router is built, not with
    # ``import lockgate``.
    from lockgate.config import ConfigError, parse_config

    document = {
        "model_list": list(model_list or []),
        "router_settings": {k: v for k, v in router_settings.items() if v is not None},
    }
    try:
        text = orjson.dumps(document, default=_json_default, option=orjson.OPT_INDENT_2)
    except TypeError as error:
        raise ValueError(f"Router arguments: {error}") from None
    try:
        return parse_config(text.decode(), env=env)
    except ConfigError as error:
        # Line numbers of the generated text would mislead: the key path says it all.
        raise ConfigError(error.problem, source="Router(...)", path=error.path) from None


def _table(first: Mapping[str, tuple[str, ...]], second: Mapping[str, tuple[str, ...]]) -> Any:
    return first if first else second


@dataclass(frozen=True, slots=True)
class RouterPolicy:
    strategy: str
    strategy_args: Mapping[str, Any]
    timeout: float | None
    stream_timeout: float | None
    retries: RetrySettings
    cooldowns: CooldownPolicy
    fallbacks: FallbackTable
    pre_call_checks: bool
    tag_filtering: bool
    tags_match_any: bool
    default_max_parallel_requests: int | None
    default_params: Mapping[str, Any]

    @classmethod
    def resolve(
        cls,
        router: RouterSettings,
        litellm: LitellmSettings | None = None,
        *,
        failure_window: float = 60.0,
    ) -> RouterPolicy:
        from lockgate.config import LitellmSettings
        from lockgate.config.litellm_keys import PROVIDER_PARAMS

        lite = litellm or LitellmSettings()
        defaults = thaw(router.default_litellm_params)
        unknown = sorted(set(defaults) - PROVIDER_PARAMS)
        if unknown:
            raise ValueError(
                "default_litellm_params may hold provider parameters only, not "
                + ", ".join(unknown)
            )
        num_retries = router.num_retries
        if num_retries is None:
            num_retries = lite.num_retries if lite.num_retries is not None else DEFAULT_NUM_RETRIES
        return cls(
            strategy=router.routing_strategy,
            strategy_args=MappingProxyType(thaw(router.routing_strategy_args)),
            timeout=router.timeout if router.timeout is not None else lite.request_timeout,
            stream_timeout=router.stream_timeout,
            retries=RetrySettings(
                num_retries=num_retries,
                retry_after=router.retry_after or 0.0,
                retry_policy=router.retry_policy,
                model_group_retry_policy=router.model_group_retry_policy,
            ),
            cooldowns=CooldownPolicy(
                allowed_fails=(
                    router.allowed_fails
                    if router.allowed_fails is not None
                    else DEFAULT_ALLOWED_FAILS
                ),
                cooldown_time=(
                    router.cooldown_time
                    if router.cooldown_time is not None
                    else DEFAULT_COOLDOWN_TIME
                ),
                failure_window=failure_window,
                allowed_fails_policy=router.allowed_fails_policy,
                disabled=router.disable_cooldowns,
            ),
            fallbacks=FallbackTable(
                fallbacks=_table(router.fallbacks, lite.fallbacks),
                context_window=_table(
                    router.context_window_fallbacks, lite.context_window_fallbacks
                ),
                content_policy=_table(
                    router.content_policy_fallbacks, lite.content_policy_fallbacks
                ),
                default=router.default_fallbacks or lite.default_fallbacks,
                max_fallbacks=(
                    router.max_fallbacks
                    if router.max_fallbacks is not None
                    else DEFAULT_MAX_FALLBACKS
                ),
            ),
            pre_call_checks=router.enable_pre_call_checks,
            tag_filtering=router.enable_tag_filtering,
            tags_match_any=router.tag_filtering_match_any,
            default_max_parallel_requests=router.default_max_parallel_requests,
            default_params=MappingProxyType(defaults),
        )
