"""``model_list``: one :class:`DeploymentConfig` per entry.

``litellm_params`` (also spelled ``params``) is read into :class:`DeploymentParams`;
provider request defaults (``temperature``, ...) land in ``params.extra``; ``model_info``
is free-form, as in LiteLLM, with a few well-known keys type-checked.
"""

from __future__ import annotations

import json
import re
from types import MappingProxyType
from typing import Final
from urllib.parse import urlsplit

from lockgate.config.errors import ConfigError
from lockgate.config.litellm_keys import DEPLOYMENT_KEYS, LITELLM_PARAMS, PROVIDER_PARAMS
from lockgate.config.model import DeploymentConfig, DeploymentParams
from lockgate.config.secret_keys import is_secret_header, is_secret_key
from lockgate.config.section_reader import SectionReader
from lockgate.config.settings_model import PlainMap
from lockgate.config.values import (
    Context,
    FrozenValue,
    as_bool,
    as_float,
    as_int,
    as_map,
    as_plain,
    as_plain_map,
    as_secret,
    as_seq,
    as_str,
    error_at,
)
from lockgate.config.yaml_nodes import YMap, YNode, YScalar, child_path, index_path
from lockgate.security import Secret

__all__ = ["PARAMS_IMPLEMENTED", "as_model_string", "read_model_list"]

PARAMS_TYPED: Final = frozenset(
    {
        "model",
        "custom_llm_provider",
        "api_key",
        "api_base",
        "api_version",
        "organization",
        "timeout",
        "stream_timeout",
        "max_retries",
        "num_retries",
        "rpm",
        "tpm",
        "weight",
        "order",
        "tags",
        "max_parallel_requests",
        "drop_params",
        "extra_headers",
        "input_cost_per_token",
        "output_cost_per_token",
        "region_name",
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_region_name",
        "vertex_project",
        "vertex_location",
        "vertex_credentials",
        "azure_ad_token",
    }
)
PARAMS_IMPLEMENTED: Final = PARAMS_TYPED | PROVIDER_PARAMS

_MODEL: Final = re.compile(r"[^\s\x00-\x1f\x7f]+")
_HEADER_NAME: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_MODEL_INFO_INTS: Final = frozenset({"max_tokens", "max_input_tokens", "max_output_tokens"})
_MODEL_INFO_FLOATS: Final = frozenset({"input_cost_per_token", "output_cost_per_token"})
_MODEL_INFO_STRS: Final = frozenset({"mode", "base_model"})


def as_model_string(node: YNode, path: str, ctx: Context) -> str:
    """A model name or ``provider/model`` string, wildcards allowed; no spaces."""
    value = as_str(node, path, ctx).strip()
    if not _MODEL.fullmatch(value):
        raise error_at(node, path, "a model name cannot contain spaces or control characters")
    return value


def _url(node: YNode, path: str, ctx: Context) -> str:
    value = as_str(node, path, ctx).strip()
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value
    except ValueError:
        ok = False
    if not ok:
        raise error_at(node, path, "expected an http:// or https:// URL with a host")
    return value


def _vertex_credentials(node: YNode, path: str, ctx: Context) -> Secret:
    """A path to a service-account file, or the JSON document (as a string or a mapping)."""
    if not isinstance(node, YMap):
        return as_secret(node, path, ctx)
    document = as_plain_map(node, path, ctx, is_secret=lambda _: False)
    return Secret(json.dumps(_jsonable(document), separators=(",", ":")))


def _jsonable(value: FrozenValue) -> object:
    if isinstance(value, MappingProxyType):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def _extra_headers(node: YNode, path: str, ctx: Context) -> MappingProxyType[str, str | Secret]:
    headers: dict[str, str | Secret] = {}
    for name, entry in as_map(node, path).entries.items():
        header_path = child_path(path, name)
        if not _HEADER_NAME.fullmatch(name):
            raise ConfigError(
                "not a valid HTTP header name",
                source=entry.value.source,
                line=entry.key_line,
                path=header_path,
            )
        if is_secret_header(name):
            headers[name] = as_secret(entry.value, header_path, ctx)
        else:
            headers[name] = as_str(entry.value, header_path, ctx, allow_empty=True)
    return MappingProxyType(headers)


def _tags(node: YNode, path: str, ctx: Context) -> tuple[str, ...]:
    items = as_seq(node, path).items
    return tuple(as_str(item, index_path(path, i), ctx) for i, item in enumerate(items))


def _read_params(node: YNode, path: str, ctx: Context) -> DeploymentParams:
    r = SectionReader(node, path, ctx, implemented=PARAMS_IMPLEMENTED, documented=LITELLM_PARAMS)
    extra: dict[str, FrozenValue] = {}
    for key in r.present_keys():
        entry = r.entry(key) if key in PROVIDER_PARAMS else None
        if entry is not None:
            extra[key] = as_plain(entry.value, r.key_path(key), ctx, secret=is_secret_key(key))
    params = DeploymentParams(
        model=r.required("model", as_model_string),
        custom_llm_provider=r.opt_str("custom_llm_provider"),
        api_key=r.opt_secret("api_key"),
        api_base=r.opt("api_base", _url),
        api_version=r.opt_str("api_version"),
        organization=r.opt_str("organization"),
        timeout=r.opt_float("timeout"),
        stream_timeout=r.opt_float("stream_timeout"),
        max_retries=r.opt_int("max_retries"),
        num_retries=r.opt_int("num_retries"),
        rpm=r.opt_int("rpm"),
        tpm=r.opt_int("tpm"),
        weight=r.opt_float("weight"),
        order=r.opt_int("order"),
        tags=r.get("tags", _tags, ()),
        max_parallel_requests=r.opt_int("max_parallel_requests", minimum=1),
        drop_params=r.opt_bool("drop_params"),
        extra_headers=r.get("extra_headers", _extra_headers, MappingProxyType({})),
        input_cost_per_token=r.opt_float("input_cost_per_token"),
        output_cost_per_token=r.opt_float("output_cost_per_token"),
        region_name=r.opt_str("region_name"),
        aws_access_key_id=r.opt_secret("aws_access_key_id"),
        aws_secret_access_key=r.opt_secret("aws_secret_access_key"),
        aws_session_token=r.opt_secret("aws_session_token"),
        aws_region_name=r.opt_str("aws_region_name"),
        vertex_project=r.opt_str("vertex_project"),
        vertex_location=r.opt_str("vertex_location"),
        vertex_credentials=r.opt("vertex_credentials", _vertex_credentials),
        azure_ad_token=r.opt_secret("azure_ad_token"),
        extra=MappingProxyType(extra),
    )
    r.finish()
    return params


def _model_info_value(key: str, node: YNode, path: str, ctx: Context) -> FrozenValue:
    if key == "id":  # LiteLLM accepts a number and keeps it as a string
        value = as_plain(node, path, ctx)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise error_at(node, path, "expected a string")
        return str(value)
    if key in _MODEL_INFO_INTS:
        return as_int(node, path, ctx, minimum=0)
    if key in _MODEL_INFO_FLOATS:
        return as_float(node, path, ctx, minimum=0.0)
    if key in _MODEL_INFO_STRS:
        return as_str(node, path, ctx)
    if key.startswith("supports_"):
        return as_bool(node, path, ctx)
    return as_plain(node, path, ctx, secret=is_secret_key(key))


def _model_info(node: YNode, path: str, ctx: Context) -> PlainMap:
    entries = as_map(node, path).entries
    return MappingProxyType(
        {
            key: _model_info_value(key, entry.value, child_path(path, key), ctx)
            for key, entry in entries.items()
            if not _is_null(entry.value)
        }
    )


def _is_null(node: YNode) -> bool:
    return isinstance(node, YScalar) and node.value is None


def _read_deployment(node: YNode, path: str, ctx: Context) -> DeploymentConfig:
    implemented = DEPLOYMENT_KEYS | {"params"}
    r = SectionReader(as_map(node, path), path, ctx, implemented=implemented)
    model_name = r.required("model_name", as_model_string)
    params_key = r.spelling("litellm_params", "params")
    params_entry = r.entry(params_key, keep_null=True)
    if params_entry is None:
        raise ConfigError(
            "required key is missing",
            source=node.source,
            line=node.line,
            path=r.key_path(params_key),
        )
    # Located at the `litellm_params:` line, so a missing `model` points there.
    entries = (
        MappingProxyType({})
        if _is_null(params_entry.value)
        else as_map(params_entry.value, r.key_path(params_key)).entries
    )
    params_node = YMap(entries, params_entry.key_line, params_entry.value.source)
    deployment = DeploymentConfig(
        model_name=model_name,
        params=_read_params(params_node, r.key_path(params_key), ctx),
        model_info=r.get("model_info", _model_info, MappingProxyType({})),
        line=node.line,
        source=node.source,
    )
    r.finish()
    return deployment


def read_model_list(node: YNode | None, ctx: Context) -> tuple[DeploymentConfig, ...]:
    if node is None or _is_null(node):
        return ()
    items = as_seq(node, "model_list").items
    return tuple(
        _read_deployment(item, index_path("model_list", i), ctx) for i, item in enumerate(items)
    )
