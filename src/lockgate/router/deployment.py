"""One deployment: a model served at one place with its own credentials and limits.

Built once from a :class:`~lockgate.config.DeploymentConfig`; everything a request needs
(the client options, the provider defaults) is precomputed here so that a call only merges
two small dicts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit, urlunsplit

import orjson

from lockgate.client.params import CALL_OPTIONS
from lockgate.router.model_facts import facts_for
from lockgate.router.price_override import deployment_prices
from lockgate.router.wildcard import WildcardPattern
from lockgate.security import REDACTED, Secret

if TYPE_CHECKING:
    from lockgate.config import DeploymentConfig, DeploymentParams
    from lockgate.pricing import ModelInfo

__all__ = ["Deployment", "build_deployments", "thaw"]

# Typed DeploymentParams fields that carry cloud placement and credentials, handed to the
# client as call options (Vertex AI's project, location and vertex_credentials included).
# Each must be one of the client's CALL_OPTIONS: passed as a plain kwarg it would be sent
# upstream in the request body, so _options refuses any that is not.
_CLOUD_CREDENTIALS: Final = (
    "region_name",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_region_name",
    "vertex_project",
    "vertex_location",
    "vertex_credentials",
    "azure_ad_token",
)


def thaw(value: Any) -> Any:
    """Config values (read-only mappings, tuples, Secrets) as plain JSON-ready values."""
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(v) for v in value]
    return value


def _public_url(url: str | None) -> str | None:
    """The api_base without any user:password part, fit for logs and metric labels."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True, slots=True, eq=False)
class Deployment:
    id: str
    model_name: str  # the group name as written (a wildcard pattern for wildcard groups)
    model: str  # litellm_params.model as written ("openai/gpt-4o", "anthropic/*")
    api_base: str | None  # without credentials
    # Options the client takes from the deployment (credentials, api_base, retries...).
    # Not in the repr: secret headers are plain strings here, ready to send.
    options: Mapping[str, Any] = field(repr=False)
    # Provider request defaults (temperature, ...); the request's own values win.
    defaults: Mapping[str, Any] = field(repr=False)
    timeout: float | None
    stream_timeout: float | None
    rpm: int | None
    tpm: int | None
    weight: float | None
    order: int | None
    tags: frozenset[str]
    max_parallel_requests: int | None
    model_info: Mapping[str, Any]
    input_cost_per_token: float | None = None
    output_cost_per_token: float | None = None
    max_input_tokens: int | None = None
    pattern: WildcardPattern | None = None  # set for wildcard groups
    config: DeploymentConfig | None = field(default=None, repr=False)
    # The deployment's own prices (None: the model table's); see router.price_override.
    prices: ModelInfo | None = field(default=None, repr=False)
    # options and defaults as plain dicts (read-only by convention), which merge several
    # times faster than read-only views: call_kwargs merges them on every call.
    plain_options: dict[str, Any] = field(init=False, repr=False, compare=False)
    plain_defaults: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plain_options", dict(self.options))
        object.__setattr__(self, "plain_defaults", dict(self.defaults))

    @property
    def is_wildcard(self) -> bool:
        return self.pattern is not None

    def model_for(self, requested: str) -> str:
        """The upstream model string for a request naming ``requested``."""
        if self.pattern is None or "*" not in self.model:
            return self.model
        captures = self.pattern.match(requested)
        return WildcardPattern.fill(self.model, captures or (requested,))

    def to_dict(self) -> dict[str, Any]:
        """LiteLLM's shape (``model_name``, ``litellm_params``, ``model_info``); credentials
        redacted."""
        params: dict[str, Any] = {"model": self.model}
        if self.config is not None:
            for f in fields(self.config.params):
                value = getattr(self.config.params, f.name)
                if f.name == "extra" or value is None or value == () or value == {}:
                    continue
                params[f.name] = REDACTED if isinstance(value, Secret) else _plain(value)
            params.update(_plain(self.config.params.extra))
        info = {**_plain(self.model_info), "id": self.id}
        return {"model_name": self.model_name, "litellm_params": params, "model_info": info}

    def __getitem__(self, key: str) -> Any:
        """``deployment["litellm_params"]["model"]`` as LiteLLM users write it."""
        return self.to_dict()[key]


def _plain(value: Any) -> Any:
    if isinstance(value, Secret):
        return REDACTED
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _options(params: DeploymentParams) -> dict[str, Any]:
    for name in _CLOUD_CREDENTIALS:
        if getattr(params, name) is not None and name not in CALL_OPTIONS:
            raise ValueError(
                f"litellm_params.{name} (model {params.model!r}) is not supported by "
                "lockgate's client yet"
            )
    options: dict[str, Any] = {
        "num_retries": params.num_retries or params.max_retries or 0,
    }
    if params.custom_llm_provider:
        options["custom_llm_provider"] = params.custom_llm_provider
    if params.api_key is not None:
        options["api_key"] = params.api_key  # the client takes the Secret as it is
    for name in ("api_base", "api_version", "organization", "drop_params"):
        value = getattr(params, name)
        if value is not None:
            options[name] = value
    for name in _CLOUD_CREDENTIALS:
        value = getattr(params, name)
        if value is not None:
            options[name] = value
    if params.extra_headers:
        options["extra_headers"] = {k: thaw(v) for k, v in params.extra_headers.items()}
    return options


def _identity(config: DeploymentConfig) -> str:
    """A stable id: the same entry gets the same id in every instance that loads it."""
    params = {f.name: thaw(getattr(config.params, f.name)) for f in fields(config.params)}
    raw = orjson.dumps(
        {"model_name": config.model_name, "params": params}, option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(raw).hexdigest()[:16]


def build_deployments(
    model_list: tuple[DeploymentConfig, ...],
    default_params: Mapping[str, Any],
    default_max_parallel_requests: int | None = None,
) -> tuple[Deployment, ...]:
    """One :class:`Deployment` per entry; identical entries get distinct ids."""
    seen: dict[str, int] = {}
    out: list[Deployment] = []
    for config in model_list:
        ident = config.id or _identity(config)
        count = seen.get(ident, 0)
        seen[ident] = count + 1
        if count:
            ident = f"{ident}-{count}"
        params = config.params
        info = MappingProxyType({k: thaw(v) for k, v in config.model_info.items()})
        costs = facts_for(params, info)
        pattern = WildcardPattern.compile(config.model_name) if "*" in config.model_name else None
        out.append(
            Deployment(
                id=ident,
                model_name=config.model_name,
                model=params.model,
                api_base=_public_url(params.api_base),
                options=MappingProxyType(_options(params)),
                defaults=MappingProxyType(
                    {**default_params, **{k: thaw(v) for k, v in params.extra.items()}}
                ),
                timeout=params.timeout,
                stream_timeout=params.stream_timeout,
                rpm=params.rpm,
                tpm=params.tpm,
                weight=params.weight,
                order=params.order,
                tags=frozenset(params.tags),
                max_parallel_requests=(
                    params.max_parallel_requests or default_max_parallel_requests
                ),
                model_info=info,
                input_cost_per_token=costs.input_cost_per_token,
                output_cost_per_token=costs.output_cost_per_token,
                max_input_tokens=costs.max_input_tokens,
                pattern=pattern,
                config=config,
                prices=deployment_prices(params, info),
            )
        )
    return tuple(out)
