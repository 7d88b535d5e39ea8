"""Everything a request needs, built from one config. Replaced whole on reload (SIGHUP):
requests in flight keep the state they started with."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from lockgate.client import Client, ClientSettings
from lockgate.config import Config
from lockgate.gateway.auth import Authenticator, MasterKeyAuthenticator
from lockgate.gateway.dispatcher import ModelDispatcher
from lockgate.providers.registry import ProviderRegistry
from lockgate.security.secret import Secret
from lockgate.transport.egress import EgressPolicy

__all__ = ["GatewayLimits", "GatewayState", "build_state", "egress_policy_for"]


@dataclass(frozen=True, slots=True)
class GatewayLimits:
    max_body_bytes: int
    max_header_bytes: int = 64 * 1024
    max_headers: int = 100
    # Non-stream requests answer 408 after this long; streams are bounded by idle time.
    request_timeout: float = 600.0
    stream_keepalive_seconds: float = 15.0


@dataclass(frozen=True, slots=True)
class GatewayState:
    config: Config
    dispatcher: ModelDispatcher
    authenticators: tuple[Authenticator, ...]
    limits: GatewayLimits
    master_key: Secret
    # Groups and aliases callers may name (metrics label them; others are "other").
    model_names: frozenset[str]
    # What GET /v1/models lists: the groups and the aliases that are not hidden.
    listed_models: tuple[str, ...]
    client: Client

    async def aclose(self) -> None:
        """Close the router (and its state) and the upstream connections."""
        try:
            await self.dispatcher.aclose()
        finally:
            await self.client.aclose()


def egress_policy_for(config: Config, registry: ProviderRegistry) -> EgressPolicy:
    """Hosts: the providers the config uses, its api_bases and the explicit allow-list."""
    hosts: set[str] = set(config.lockgate.egress.allow_hosts)
    for deployment in config.model_list:
        params = deployment.params
        if params.api_base:
            host = urlsplit(params.api_base).hostname
            if host:
                hosts.add(host)
        provider = params.provider
        if provider and provider in registry.providers:
            hosts |= registry.providers[provider].default_hosts
    policy = EgressPolicy(allowed_hosts=frozenset(hosts))
    return policy.with_allowed_networks(config.lockgate.egress.allow_private_networks)


def _request_deadline(config: Config) -> float:
    """The gateway's own deadline for a non-stream request: a safety net behind the router,
    whose per-attempt time-out (LiteLLM's ``request_timeout``) answers 408 first."""
    attempt = config.router.timeout or config.settings.request_timeout or 600.0
    retries = config.router.num_retries or config.settings.num_retries or 0
    return float(attempt) * (retries + 1) + 1.0


def _listed_models(config: Config) -> set[str]:
    names = {d.model_name for d in config.model_list}
    names |= {
        alias for alias, target in config.router.model_group_alias.items() if not target.hidden
    }
    return names


def build_state(config: Config, *, master_key: Secret | None = None) -> GatewayState:
    from lockgate.router import Router  # the router is the gateway's dispatcher

    registry = ProviderRegistry()
    client = Client(
        settings=ClientSettings(drop_params=config.settings.drop_params),
        registry=registry,
        egress=egress_policy_for(config, registry),
    )
    dispatcher: ModelDispatcher = Router.from_config(config, client=client)
    key = master_key or config.general.master_key or Secret("sk-" + secrets.token_urlsafe(32))
    limits = GatewayLimits(
        max_body_bytes=config.lockgate.max_request_body_bytes,
        request_timeout=_request_deadline(config),
    )
    return GatewayState(
        config=config,
        dispatcher=dispatcher,
        authenticators=(MasterKeyAuthenticator(key),),
        limits=limits,
        master_key=key,
        model_names=frozenset(dispatcher.get_model_names(include_aliases=True)),
        listed_models=tuple(sorted(_listed_models(config))),
        client=client,
    )
