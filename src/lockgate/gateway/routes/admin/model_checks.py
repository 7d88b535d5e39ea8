"""What a deployment sent to ``/model/new`` or ``/model/update`` must pass before it is
stored: the config file's validation, a known provider, a router that accepts it, and the
gateway's egress policy for every URL it names (``api_base`` and any other ``...://`` value).

A refusal is a 400 naming the field. The egress check here is the early, explicit one; the
transport checks again at connect time (resolved addresses included), as for every call.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator, Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from lockgate.config import DeploymentConfig
from lockgate.config.api_deployment import ApiDeploymentError
from lockgate.errors import BadRequestError, EgressDeniedError, LockgateError
from lockgate.keys.deployment_store import StoredDeployment, to_deployment_config
from lockgate.providers.registry import ProviderRegistry
from lockgate.router.deployment import Deployment, build_deployments
from lockgate.transport.egress import EgressPolicy

__all__ = ["checked_deployment", "redacted_view"]

_RESOLVE_SECONDS: Final = 2.0


def _urls(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field path, URL) for every string that names a scheme, at any depth."""
    if isinstance(value, str):
        if "://" in value:
            yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _urls(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _urls(item, path)


async def _resolves_to_refused(policy: EgressPolicy, host: str, port: int) -> None:
    """A host name whose addresses the policy refuses (a DNS name for the metadata service)
    is refused now rather than at the first call. A name that does not resolve (yet) is
    left to the connect-time check."""
    try:
        infos = await asyncio.wait_for(
            asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM),
            _RESOLVE_SECONDS,
        )
    except (OSError, TimeoutError, UnicodeError):
        return
    policy.check_addresses(host, [str(info[4][0]) for info in infos])


async def _check_egress(policy: EgressPolicy, params: Mapping[str, Any]) -> None:
    for path, url in _urls(params, "litellm_params"):
        try:
            host = urlsplit(url).hostname or ""
            # The deployment's own host is what it asks for: as for a config file's
            # api_base, the address rules (metadata service, refused ranges) still apply.
            policy.check_url(url, frozenset({host}) if host else frozenset())
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            await _resolves_to_refused(policy, host, port)
        except EgressDeniedError as error:
            raise BadRequestError(f"{path}: {error.message}", param=path) from None
        except ValueError:
            raise BadRequestError(f"{path}: not a valid URL", param=path) from None


def _check_provider(deployment: DeploymentConfig, registry: ProviderRegistry) -> None:
    params = deployment.params
    model = params.model
    if params.custom_llm_provider:
        model = f"{params.custom_llm_provider}/{model}"
    try:
        spec, _ = registry.split_model(model)
        registry.adapter(spec)
    except LockgateError as error:
        raise BadRequestError(error.message, param="litellm_params.model") from None


async def checked_deployment(
    stored: StoredDeployment, policy: EgressPolicy, registry: ProviderRegistry
) -> Deployment:
    """The router's deployment for ``stored`` (its redacted view is ``.to_dict()``), once
    every check passed."""
    try:
        config = to_deployment_config(stored)
    except ApiDeploymentError as error:
        raise BadRequestError(error.message, param=error.param) from None
    if "*" not in config.params.model:
        _check_provider(config, registry)
    try:
        (deployment,) = build_deployments((config,), {})
    except ValueError as error:
        raise BadRequestError(str(error), param="litellm_params") from None
    await _check_egress(policy, stored.litellm_params)
    return deployment


def redacted_view(stored: StoredDeployment) -> dict[str, Any]:
    """What the API and the audit log show of a stored deployment: credentials redacted
    (without its parameters if they no longer validate)."""
    try:
        (deployment,) = build_deployments((to_deployment_config(stored),), {})
    except (ApiDeploymentError, ValueError):
        return {
            "model_id": stored.id,
            "model_name": stored.model_name,
            "model_info": {**stored.model_info, "id": stored.id, "db_model": True},
        }
    return {"model_id": stored.id, **deployment.to_dict()}
