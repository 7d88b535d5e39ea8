"""The loaded config: frozen dataclasses of tuples and read-only mappings.

Credentials are :class:`~lockgate.security.Secret` everywhere, so ``repr(config)`` and
:meth:`Config.to_redacted_dict` never show one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from lockgate.config.redaction import redacted
from lockgate.config.settings_model import (
    GeneralSettings,
    LitellmSettings,
    LockgateSettings,
    PlainMap,
    RouterSettings,
)
from lockgate.security import Secret

__all__ = ["Config", "DeploymentConfig", "DeploymentParams"]


def _empty() -> PlainMap:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class DeploymentParams:
    """``litellm_params`` of one deployment.

    ``extra`` holds request parameters the deployment sets as defaults for the provider
    (``temperature``, ``max_tokens``, ``extra_body``, ...), see ``litellm_keys.PROVIDER_PARAMS``.
    """

    model: str  # "provider/model", kept as written (wildcards included)
    custom_llm_provider: str | None = None
    api_key: Secret | None = None
    api_base: str | None = None
    api_version: str | None = None
    organization: str | None = None
    timeout: float | None = None
    stream_timeout: float | None = None
    max_retries: int | None = None
    num_retries: int | None = None
    rpm: int | None = None
    tpm: int | None = None
    weight: float | None = None
    order: int | None = None
    tags: tuple[str, ...] = ()
    max_parallel_requests: int | None = None
    drop_params: bool | None = None
    extra_headers: MappingProxyType[str, str | Secret] = field(
        default_factory=lambda: MappingProxyType({})
    )
    input_cost_per_token: float | None = None
    output_cost_per_token: float | None = None
    region_name: str | None = None
    aws_access_key_id: Secret | None = None
    aws_secret_access_key: Secret | None = None
    aws_session_token: Secret | None = None
    aws_region_name: str | None = None
    vertex_project: str | None = None
    vertex_location: str | None = None
    vertex_credentials: Secret | None = None  # a file path or the JSON document itself
    azure_ad_token: Secret | None = None
    extra: PlainMap = field(default_factory=_empty)

    @property
    def provider(self) -> str | None:
        """``custom_llm_provider`` if set, else the prefix of ``model`` (None without one)."""
        if self.custom_llm_provider:
            return self.custom_llm_provider
        prefix, sep, _ = self.model.partition("/")
        return prefix if sep else None


@dataclass(frozen=True, slots=True)
class DeploymentConfig:
    """One ``model_list`` entry. Several entries may share a ``model_name`` (a model group)."""

    model_name: str
    params: DeploymentParams
    model_info: PlainMap = field(default_factory=_empty)
    line: int | None = None
    source: str | None = None  # the file it was written in (differs for an included file)

    @property
    def id(self) -> str | None:
        """``model_info.id`` when the file sets one."""
        value = self.model_info.get("id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Config:
    model_list: tuple[DeploymentConfig, ...] = ()
    router: RouterSettings = field(default_factory=RouterSettings)
    settings: LitellmSettings = field(default_factory=LitellmSettings)
    general: GeneralSettings = field(default_factory=GeneralSettings)
    lockgate: LockgateSettings = field(default_factory=LockgateSettings)
    source: str | None = None
    warnings: tuple[str, ...] = ()
    # environment_variables: values the file provides (they also serve its os.environ/ refs).
    environment: MappingProxyType[str, Secret] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def model_names(self) -> tuple[str, ...]:
        """The model groups, in file order, each once."""
        return tuple(dict.fromkeys(d.model_name for d in self.model_list))

    def deployments(self, model_name: str) -> tuple[DeploymentConfig, ...]:
        """The deployments of one model group (exact name; wildcards are the router's job)."""
        return tuple(d for d in self.model_list if d.model_name == model_name)

    def to_redacted_dict(self) -> dict[str, object]:
        """The config in LiteLLM's shape, JSON-ready, every secret replaced by ``**********``."""
        return {
            "model_list": [
                {
                    "model_name": d.model_name,
                    "litellm_params": _params_dict(d.params),
                    "model_info": redacted(d.model_info),
                }
                for d in self.model_list
            ],
            "router_settings": redacted(self.router),
            "litellm_settings": redacted(self.settings),
            "general_settings": redacted(self.general),
            "lockgate_settings": redacted(self.lockgate),
            "environment_variables": redacted(self.environment),
        }


def _params_dict(params: DeploymentParams) -> object:
    shown = redacted(params)
    assert isinstance(shown, dict)
    extra = shown.pop("extra", {})
    assert isinstance(extra, dict)
    shown.update(extra)
    return shown
