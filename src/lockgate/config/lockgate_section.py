"""``lockgate_settings``: lockgate's own section. Every key is known; anything else is an error."""

from __future__ import annotations

import ipaddress
import re
from typing import Final

from lockgate.config.section_reader import SectionReader
from lockgate.config.settings_model import (
    DEFAULT_MAX_REQUEST_BODY_BYTES,
    EgressSettings,
    GeneralSettings,
    LitellmSettings,
    LockgateSettings,
)
from lockgate.config.tracing_section import read_tracing
from lockgate.config.values import Context, as_seq, as_str, error_at
from lockgate.config.yaml_nodes import YNode, index_path
from lockgate.security import Secret

__all__ = ["LOCKGATE_KEYS", "read_lockgate_settings"]

LOCKGATE_KEYS: Final = frozenset(
    {
        "data_dir",
        "egress",
        "max_request_body_bytes",
        "log_payloads",
        "salt_key",
        "spend_log_retention_days",
        "redis_prefix",
        "tracing",
    }
)
# Without ``salt_key`` in the file, these variables provide it (LiteLLM's name second).
SALT_KEY_VARIABLES: Final = ("LOCKGATE_SALT_KEY", "LITELLM_SALT_KEY")
_PREFIX: Final = re.compile(r"[A-Za-z0-9_:.\-]{1,64}")
EGRESS_KEYS: Final = frozenset({"allow_hosts", "allow_private_networks"})
_HOST: Final = re.compile(
    r"(\*\.)?[a-z0-9]([a-z0-9\-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)*"
)
_MIB: Final = 1024 * 1024


def _host(node: YNode, path: str, ctx: Context) -> str:
    host = as_str(node, path, ctx).strip().lower().rstrip(".")
    if _HOST.fullmatch(host):
        return host
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        raise error_at(
            node, path, "expected a host name such as api.openai.com or *.openai.azure.com"
        ) from None


def _network(node: YNode, path: str, ctx: Context) -> str:
    text = as_str(node, path, ctx).strip()
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        raise error_at(node, path, f"expected a network such as 10.0.0.0/8, got {text!r}") from None


def _hosts(node: YNode, path: str, ctx: Context) -> tuple[str, ...]:
    items = as_seq(node, path).items
    return tuple(_host(item, index_path(path, i), ctx) for i, item in enumerate(items))


def _networks(node: YNode, path: str, ctx: Context) -> tuple[str, ...]:
    items = as_seq(node, path).items
    return tuple(_network(item, index_path(path, i), ctx) for i, item in enumerate(items))


def _egress(node: YNode, path: str, ctx: Context) -> EgressSettings:
    r = SectionReader(node, path, ctx, implemented=EGRESS_KEYS)
    egress = EgressSettings(
        allow_hosts=r.get("allow_hosts", _hosts, ()),
        allow_private_networks=r.get("allow_private_networks", _networks, ()),
    )
    r.finish()
    return egress


def _salt_from_env(ctx: Context) -> Secret | None:
    for name in SALT_KEY_VARIABLES:
        value = ctx.env.get(name)
        if value:
            return Secret(value)
    return None


def _redis_prefix(node: YNode, path: str, ctx: Context) -> str:
    text = as_str(node, path, ctx)
    if not _PREFIX.fullmatch(text):
        raise error_at(node, path, "expected 1-64 letters, digits or _:.- (no braces)")
    return text


def read_lockgate_settings(
    node: YNode | None,
    ctx: Context,
    general: GeneralSettings,
    litellm: LitellmSettings | None = None,
) -> LockgateSettings:
    r = SectionReader(node, "lockgate_settings", ctx, implemented=LOCKGATE_KEYS)
    body_limit = r.opt_int("max_request_body_bytes", minimum=1)
    if body_limit is None and general.max_request_size_mb is not None:
        body_limit = max(1, int(general.max_request_size_mb * _MIB))
    settings = LockgateSettings(
        data_dir=r.opt_str("data_dir"),
        egress=r.get("egress", _egress, EgressSettings()),
        max_request_body_bytes=body_limit or DEFAULT_MAX_REQUEST_BODY_BYTES,
        log_payloads=r.flag("log_payloads", False),
        salt_key=r.opt_secret("salt_key") or _salt_from_env(ctx),
        spend_log_retention_days=r.opt_int("spend_log_retention_days", minimum=1),
        redis_prefix=r.get("redis_prefix", _redis_prefix, "lockgate"),
        tracing=read_tracing(
            _entry_value(r, "tracing"),
            r.key_path("tracing"),
            ctx,
            litellm if litellm is not None else LitellmSettings(),
        ),
    )
    r.finish()
    return settings


def _entry_value(r: SectionReader, key: str) -> YNode | None:
    entry = r.entry(key)
    return None if entry is None else entry.value
