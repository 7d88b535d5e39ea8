"""``lockgate serve --model openai/gpt-4o-mini``: a config with one deployment.

The model group is named by the full string (``openai/gpt-4o-mini``); the part after the
provider prefix (``gpt-4o-mini``) is a hidden alias of it, so clients may send either name
and ``/v1/models`` lists the group once. A wildcard (``anthropic/*``) gets no alias.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from lockgate.config.errors import ConfigError
from lockgate.config.general_section import read_general_settings
from lockgate.config.model import Config, DeploymentConfig, DeploymentParams
from lockgate.config.settings_model import ModelGroupAlias, RouterSettings
from lockgate.config.values import Context

__all__ = ["config_from_model"]

_MODEL: Final = re.compile(r"[^\s\x00-\x1f\x7f/][^\s\x00-\x1f\x7f]*")


def config_from_model(model: str, *, env: Mapping[str, str] | None = None) -> Config:
    """One deployment of ``model``. With ``env``, ``LITELLM_MASTER_KEY`` and ``DATABASE_URL``
    provide the master key and database as they do for a config file; without, nothing is read."""
    model = model.strip()
    if not _MODEL.fullmatch(model) or model.endswith("/"):
        raise ConfigError("expected a model such as openai/gpt-4o-mini", source="--model")
    deployment = DeploymentConfig(model_name=model, params=DeploymentParams(model=model))
    _, sep, short = model.partition("/")
    aliases: dict[str, ModelGroupAlias] = {}
    if sep and "*" not in model and short != model:
        aliases[short] = ModelGroupAlias(model=model, hidden=True)
    general = read_general_settings(None, Context(env=env or {}))
    return Config(
        model_list=(deployment,),
        router=RouterSettings(model_group_alias=MappingProxyType(aliases)),
        general=general,
    )
