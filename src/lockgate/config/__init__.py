"""The config loader: LiteLLM's proxy YAML schema, read unchanged into frozen, typed objects.

``load_config`` is the only place lockgate reads a config file or environment variables;
the result is immutable and passed down. See ``docs/config.md``.
"""

from lockgate.config.errors import ConfigError
from lockgate.config.litellm_keys import ROUTING_STRATEGIES
from lockgate.config.loader import load_config, parse_config
from lockgate.config.model import Config, DeploymentConfig, DeploymentParams
from lockgate.config.quick_start import config_from_model
from lockgate.config.settings_model import (
    DEFAULT_MAX_REQUEST_BODY_BYTES,
    EgressSettings,
    Fallbacks,
    GeneralSettings,
    LitellmSettings,
    LockgateSettings,
    ModelGroupAlias,
    RouterSettings,
)

__all__ = [
    "DEFAULT_MAX_REQUEST_BODY_BYTES",
    "ROUTING_STRATEGIES",
    "Config",
    "ConfigError",
    "DeploymentConfig",
    "DeploymentParams",
    "EgressSettings",
    "Fallbacks",
    "GeneralSettings",
    "LitellmSettings",
    "LockgateSettings",
    "ModelGroupAlias",
    "RouterSettings",
    "config_from_model",
    "load_config",
    "parse_config",
]
