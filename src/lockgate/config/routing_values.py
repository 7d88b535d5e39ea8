"""Readers for the routing shapes shared by router_settings and litellm_settings:
fallback lists, model group aliases and per-error retry / allowed-fails policies."""

from __future__ import annotations

from types import MappingProxyType

from lockgate.config.errors import ConfigError
from lockgate.config.litellm_keys import ALLOWED_FAILS_POLICY_KEYS, RETRY_POLICY_KEYS
from lockgate.config.section_reader import SectionReader
from lockgate.config.settings_model import Fallbacks, ModelGroupAlias
from lockgate.config.values import Context, as_map, as_seq, as_str, as_str_tuple
from lockgate.config.yaml_nodes import YNode, YScalar, child_path, index_path

__all__ = [
    "as_allowed_fails_policy",
    "as_fallbacks",
    "as_group_retry_policy",
    "as_model_group_alias",
    "as_retry_policy",
]


def as_fallbacks(node: YNode, path: str, ctx: Context) -> Fallbacks:
    """``[{group: [fallback, ...]}, ...]`` (a single fallback may be a plain string)."""
    result: dict[str, tuple[str, ...]] = {}
    for i, item in enumerate(as_seq(node, path).items):
        item_path = index_path(path, i)
        for group, entry in as_map(item, item_path).entries.items():
            group_path = child_path(item_path, group)
            if group in result:
                raise ConfigError(
                    f"fallbacks for model group '{group}' are given twice",
                    source=entry.value.source,
                    line=entry.key_line,
                    path=group_path,
                )
            result[group] = as_str_tuple(entry.value, group_path, ctx)
    return MappingProxyType(result)


def as_model_group_alias(
    node: YNode, path: str, ctx: Context
) -> MappingProxyType[str, ModelGroupAlias]:
    """``{alias: group}`` or ``{alias: {model: group, hidden: true}}``."""
    result: dict[str, ModelGroupAlias] = {}
    for alias, entry in as_map(node, path).entries.items():
        alias_path = child_path(path, alias)
        if isinstance(entry.value, YScalar):
            result[alias] = ModelGroupAlias(as_str(entry.value, alias_path, ctx))
            continue
        r = SectionReader(entry.value, alias_path, ctx, implemented=frozenset({"model", "hidden"}))
        result[alias] = ModelGroupAlias(r.required("model", as_str), r.flag("hidden", False))
        r.finish()
    return MappingProxyType(result)


def _counts(
    node: YNode, path: str, ctx: Context, keys: frozenset[str]
) -> MappingProxyType[str, int]:
    r = SectionReader(node, path, ctx, implemented=keys)
    counts = {key: r.opt_int(key) for key in r.present_keys()}
    r.finish()
    return MappingProxyType({k: v for k, v in counts.items() if v is not None})


def as_retry_policy(node: YNode, path: str, ctx: Context) -> MappingProxyType[str, int]:
    """``{RateLimitErrorRetries: 3, ...}``: retries per error kind."""
    return _counts(node, path, ctx, RETRY_POLICY_KEYS)


def as_allowed_fails_policy(node: YNode, path: str, ctx: Context) -> MappingProxyType[str, int]:
    """``{RateLimitErrorAllowedFails: 100, ...}``: failures per error kind before a cooldown."""
    return _counts(node, path, ctx, ALLOWED_FAILS_POLICY_KEYS)


def as_group_retry_policy(
    node: YNode, path: str, ctx: Context
) -> MappingProxyType[str, MappingProxyType[str, int]]:
    """``{model_group: retry_policy}``."""
    return MappingProxyType(
        {
            group: as_retry_policy(entry.value, child_path(path, group), ctx)
            for group, entry in as_map(node, path).entries.items()
        }
    )
