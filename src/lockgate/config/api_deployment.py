"""A deployment sent as JSON (``/model/new``, ``/model/update``) or read back from the store,
validated by exactly the rules of a ``model_list`` entry in the config file.

The JSON document is turned into the located nodes the config reader takes, so an API-added
deployment gets the same checks (types, URLs, header names, unknown keys) as a YAML one.
``os.environ/`` references are refused: through the API they would let an admin read the
gateway's environment (its own secrets included) into a request sent to a host they choose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from lockgate.config.deployments import read_model_list
from lockgate.config.env_refs import ENV_PREFIX
from lockgate.config.errors import ConfigError
from lockgate.config.model import DeploymentConfig
from lockgate.config.secret_keys import is_secret_key
from lockgate.config.values import Context
from lockgate.config.yaml_nodes import YEntry, YMap, YNode, YScalar, YSeq

__all__ = ["ApiDeploymentError", "deployment_from_json"]

_SOURCE: Final = "<api>"
_LIST_PREFIX: Final = "model_list[0]."
_MAX_DEPTH: Final = 16


@dataclass
class ApiDeploymentError(ValueError):
    """What is wrong and where (``litellm_params.api_base``); never a credential's value."""

    message: str
    param: str | None

    def __str__(self) -> str:
        return self.message


def _node(value: Any, path: str, depth: int = 0) -> YNode:
    if depth > _MAX_DEPTH:
        raise ApiDeploymentError(f"{path}: nested too deeply", path or None)
    if isinstance(value, Mapping):
        entries: dict[str, YEntry] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ApiDeploymentError(f"{path or 'body'}: keys must be strings", path or None)
            entries[key] = YEntry(key, 1, _node(item, f"{path}.{key}" if path else key, depth + 1))
        return YMap(MappingProxyType(entries), 1, _SOURCE)
    if isinstance(value, list):
        return YSeq(tuple(_node(v, path, depth + 1) for v in value), 1, _SOURCE)
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, str) and value.startswith(ENV_PREFIX):
            raise ApiDeploymentError(
                f"{path}: os.environ/ references are not accepted through the API "
                "(the gateway's environment is not an admin's to read); send the value itself",
                path,
            )
        return YScalar(value, 1, _SOURCE)
    raise ApiDeploymentError(f"{path}: not a JSON value", path or None)


def _check_model_info(model_info: Mapping[str, Any]) -> None:
    for key in model_info:
        # Prices ("input_cost_per_token") end in a secret-looking word but are not secrets.
        if isinstance(key, str) and is_secret_key(key) and "cost" not in key:
            raise ApiDeploymentError(
                f"model_info.{key}: credentials belong in litellm_params (model_info is "
                "stored and shown in clear)",
                f"model_info.{key}",
            )


def deployment_from_json(
    model_name: Any, litellm_params: Any, model_info: Any
) -> tuple[DeploymentConfig, tuple[str, ...]]:
    """The validated deployment and the reader's warnings (keys accepted but ignored);
    :class:`ApiDeploymentError` naming the field otherwise."""
    if not isinstance(model_name, str) or not model_name.strip():
        raise ApiDeploymentError("model_name is required (a string)", "model_name")
    if not isinstance(litellm_params, Mapping):
        raise ApiDeploymentError("litellm_params is required (an object)", "litellm_params")
    if model_info is None:
        model_info = {}
    if not isinstance(model_info, Mapping):
        raise ApiDeploymentError("model_info must be an object", "model_info")
    _check_model_info(model_info)
    entry = _node(
        {"model_name": model_name, "litellm_params": litellm_params, "model_info": model_info},
        "",
    )
    ctx = Context(env={})
    try:
        (deployment,) = read_model_list(YSeq((entry,), 1, _SOURCE), ctx)
    except ConfigError as error:
        path = (error.path or "").removeprefix(_LIST_PREFIX) or None
        where = f"{path}: " if path else ""
        raise ApiDeploymentError(f"{where}{error.problem}", path) from None
    warnings = tuple(w.split(f"{_LIST_PREFIX}", 1)[-1] for w in ctx.warnings)
    return deployment, warnings
