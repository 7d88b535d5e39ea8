"""The settings sections as frozen dataclasses: router, litellm, general, lockgate.

Field names are LiteLLM's, so a reader of a LiteLLM config finds each value under the
name it was written with. ``None`` means "not set": the consumer applies its default
(router_settings first, then litellm_settings, as in LiteLLM).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, TypeAlias

from lockgate.config.values import FrozenValue
from lockgate.security import Secret

__all__ = [
    "DEFAULT_MAX_REQUEST_BODY_BYTES",
    "EgressSettings",
    "Fallbacks",
    "GeneralSettings",
    "LitellmSettings",
    "LockgateSettings",
    "ModelGroupAlias",
    "PlainMap",
    "RouterSettings",
    "TracingSettings",
]

DEFAULT_MAX_REQUEST_BODY_BYTES: Final = 32 * 1024 * 1024

PlainMap: TypeAlias = MappingProxyType[str, FrozenValue]
# model group -> the groups to try next, in order ("*" is the default for every group).
Fallbacks: TypeAlias = MappingProxyType[str, tuple[str, ...]]


def _empty() -> MappingProxyType[str, FrozenValue]:
    return MappingProxyType({})


def _no_fallbacks() -> Fallbacks:
    return MappingProxyType({})


def _no_counts() -> MappingProxyType[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ModelGroupAlias:
    """``model_group_alias: {alias: group}`` or ``{alias: {model: group, hidden: true}}``."""

    model: str
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class RouterSettings:
    routing_strategy: str = "simple-shuffle"
    routing_strategy_args: PlainMap = field(default_factory=_empty)
    num_retries: int | None = None
    max_fallbacks: int | None = None
    timeout: float | None = None
    stream_timeout: float | None = None
    retry_after: float | None = None
    allowed_fails: int | None = None
    cooldown_time: float | None = None
    disable_cooldowns: bool = False
    fallbacks: Fallbacks = field(default_factory=_no_fallbacks)
    context_window_fallbacks: Fallbacks = field(default_factory=_no_fallbacks)
    content_policy_fallbacks: Fallbacks = field(default_factory=_no_fallbacks)
    default_fallbacks: tuple[str, ...] = ()
    model_group_alias: MappingProxyType[str, ModelGroupAlias] = field(
        default_factory=lambda: MappingProxyType({})
    )
    retry_policy: MappingProxyType[str, int] = field(default_factory=_no_counts)
    model_group_retry_policy: MappingProxyType[str, MappingProxyType[str, int]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    allowed_fails_policy: MappingProxyType[str, int] = field(default_factory=_no_counts)
    enable_pre_call_checks: bool = False
    enable_tag_filtering: bool = False
    tag_filtering_match_any: bool = True
    default_max_parallel_requests: int | None = None
    default_litellm_params: PlainMap = field(default_factory=_empty)
    redis_host: str | None = None
    redis_port: int | None = None
    redis_password: Secret | None = None
    redis_url: Secret | None = None


@dataclass(frozen=True, slots=True)
class LitellmSettings:
    drop_params: bool = False
    num_retries: int | None = None
    request_timeout: float | None = None
    fallbacks: Fallbacks = field(default_factory=_no_fallbacks)
    context_window_fallbacks: Fallbacks = field(default_factory=_no_fallbacks)
    content_policy_fallbacks: Fallbacks = field(default_factory=_no_fallbacks)
    default_fallbacks: tuple[str, ...] = ()
    cache: bool = False
    # type (local, redis, ...), host, port, password (a Secret), ttl, namespace, ...
    cache_params: PlainMap = field(default_factory=_empty)
    success_callback: tuple[str, ...] = ()
    failure_callback: tuple[str, ...] = ()
    callbacks: tuple[str, ...] = ()
    json_logs: bool = False
    turn_off_message_logging: bool = False
    max_budget: float | None = None
    budget_duration: str | None = None


@dataclass(frozen=True, slots=True)
class GeneralSettings:
    master_key: Secret | None = None
    database_url: Secret | None = None
    database_connection_pool_limit: int | None = None
    database_connection_timeout: float | None = None
    allow_requests_on_db_unavailable: bool = False
    store_model_in_db: bool = False
    disable_spend_logs: bool = False
    max_parallel_requests: int | None = None
    global_max_parallel_requests: int | None = None
    background_health_checks: bool = False
    health_check_interval: float | None = None
    health_check_details: bool = True
    max_request_size_mb: float | None = None
    max_response_size_mb: float | None = None
    proxy_batch_write_at: float | None = None
    user_api_key_cache_ttl: float | None = None
    litellm_key_header_name: str | None = None


@dataclass(frozen=True, slots=True)
class EgressSettings:
    """Where upstream connections may go (enforced by the transport at connect time).

    ``allow_hosts``: host names (``api.openai.com``, ``*.openai.azure.com``); empty means no
    host allow-list. ``allow_private_networks``: CIDRs that may be reached although they are
    private, loopback or link-local (a local Ollama: ``127.0.0.1/32``); normalised.
    """

    allow_hosts: tuple[str, ...] = ()
    allow_private_networks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TracingSettings:
    """OpenTelemetry traces (the ``otel`` extra); see ``tracing_section``. ``endpoint`` is
    the full OTLP/HTTP traces URL; ``exporter`` is ``otlp_http`` or ``console``."""

    enabled: bool = False
    endpoint: str = "http://localhost:4318/v1/traces"
    headers: MappingProxyType[str, Secret] = field(default_factory=lambda: MappingProxyType({}))
    service_name: str = "lockgate"
    exporter: str = "otlp_http"


@dataclass(frozen=True, slots=True)
class LockgateSettings:
    """lockgate's own section, ``lockgate_settings`` (LiteLLM ignores nothing here: it is ours)."""

    data_dir: str | None = None
    egress: EgressSettings = field(default_factory=EgressSettings)
    max_request_body_bytes: int = DEFAULT_MAX_REQUEST_BODY_BYTES
    log_payloads: bool = False
    # The server secret keys are hashed with and credentials encrypted with (HMAC / AES-GCM).
    # Default: LOCKGATE_SALT_KEY (or LITELLM_SALT_KEY), else a key file in the data folder.
    salt_key: Secret | None = None
    # Spend log rows older than this many days are deleted (None: kept forever).
    spend_log_retention_days: int | None = None
    # Prefix of the Redis keys and channel of limits, budgets and invalidation.
    redis_prefix: str = "lockgate"
    # OpenTelemetry traces: on with litellm_settings.callbacks: ["otel"] or tracing.enabled.
    tracing: TracingSettings = field(default_factory=TracingSettings)
