"""``general_settings``: the gateway server itself (admin key, database, limits)."""

from __future__ import annotations

from typing import Final

from lockgate.config.litellm_keys import GENERAL_SETTINGS, REFUSED
from lockgate.config.section_reader import SectionReader
from lockgate.config.settings_model import GeneralSettings
from lockgate.config.values import Context, as_secret, error_at
from lockgate.config.yaml_nodes import YNode
from lockgate.security import Secret

__all__ = ["GENERAL_IMPLEMENTED", "read_general_settings"]

GENERAL_IMPLEMENTED: Final = frozenset(
    {
        "master_key",
        "database_url",
        "database_connection_pool_limit",
        "database_connection_timeout",
        "allow_requests_on_db_unavailable",
        "store_model_in_db",
        "disable_spend_logs",
        "max_parallel_requests",
        "global_max_parallel_requests",
        "background_health_checks",
        "health_check_interval",
        "health_check_details",
        "max_request_size_mb",
        "max_response_size_mb",
        "proxy_batch_write_at",
        "user_api_key_cache_ttl",
        "litellm_key_header_name",
    }
)

# As in LiteLLM: without the key in the file, these variables provide it.
MASTER_KEY_VARIABLE: Final = "LITELLM_MASTER_KEY"
DATABASE_URL_VARIABLE: Final = "DATABASE_URL"
_DATABASE_SCHEMES: Final = frozenset({"postgresql", "postgres", "sqlite"})


def _database_url(node: YNode, path: str, ctx: Context) -> Secret:
    url = as_secret(node, path, ctx)
    scheme, sep, _ = url.reveal().partition("://")
    if not sep or scheme.split("+", 1)[0].lower() not in _DATABASE_SCHEMES:
        raise error_at(node, path, "expected a postgresql:// or sqlite:// URL")
    return url


def _from_env(ctx: Context, name: str) -> Secret | None:
    value = ctx.env.get(name)
    return Secret(value) if value else None


def read_general_settings(node: YNode | None, ctx: Context) -> GeneralSettings:
    r = SectionReader(
        node,
        "general_settings",
        ctx,
        implemented=GENERAL_IMPLEMENTED,
        documented=GENERAL_SETTINGS,
        refused=REFUSED["general_settings"],
    )
    settings = GeneralSettings(
        master_key=r.opt_secret("master_key") or _from_env(ctx, MASTER_KEY_VARIABLE),
        database_url=r.opt("database_url", _database_url) or _from_env(ctx, DATABASE_URL_VARIABLE),
        database_connection_pool_limit=r.opt_int("database_connection_pool_limit", minimum=1),
        database_connection_timeout=r.opt_float("database_connection_timeout"),
        allow_requests_on_db_unavailable=r.flag("allow_requests_on_db_unavailable", False),
        store_model_in_db=r.flag("store_model_in_db", False),
        disable_spend_logs=r.flag("disable_spend_logs", False),
        max_parallel_requests=r.opt_int("max_parallel_requests", minimum=1),
        global_max_parallel_requests=r.opt_int("global_max_parallel_requests", minimum=1),
        background_health_checks=r.flag("background_health_checks", False),
        health_check_interval=r.opt_float("health_check_interval"),
        health_check_details=r.flag("health_check_details", True),
        max_request_size_mb=r.opt_float("max_request_size_mb"),
        max_response_size_mb=r.opt_float("max_response_size_mb"),
        proxy_batch_write_at=r.opt_float("proxy_batch_write_at"),
        user_api_key_cache_ttl=r.opt_float("user_api_key_cache_ttl"),
        litellm_key_header_name=r.opt_str("litellm_key_header_name"),
    )
    r.finish()
    return settings
