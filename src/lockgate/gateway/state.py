"""Everything a request needs, built from one config. Replaced whole on reload (SIGHUP):
requests in flight keep the state they started with."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lockgate.client import Client, ClientSettings
from lockgate.config import Config
from lockgate.gateway.auth import Authenticator, MasterKeyAuthenticator
from lockgate.gateway.dispatcher import ModelDispatcher
from lockgate.providers.registry import ProviderRegistry
from lockgate.security.secret import Secret
from lockgate.transport.egress import EgressPolicy

if TYPE_CHECKING:
    from lockgate.gateway.control_plane import ControlPlane
    from lockgate.limits.request_policy import RequestPolicy

__all__ = [
    "GatewayLimits",
    "GatewayState",
    "build_state",
    "egress_policy_for",
    "rebuild_state",
]


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
    # Virtual keys, limits, budgets and spend (None: master key only, nothing recorded).
    # The control plane outlives reloads: the app closes it at shutdown, not aclose().
    request_policy: RequestPolicy | None = None
    control: ControlPlane | None = None
    # The config as loaded, without the deployments added through the admin API (``config``
    # has them): a rebuild after a model change starts from it.
    base_config: Config | None = None

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


# An unsettled budget reservation (its instance died) expires after the longest a request
# may take, plus a margin; see lockgate.limits.redis_scripts.
_MIN_HOLD_SECONDS = 900.0


def _request_policy(config: Config, control: ControlPlane, deadline: float) -> RequestPolicy:
    from lockgate.limits import GlobalBudget, PriceBook, RequestPolicy

    return RequestPolicy(
        control.cache,
        control.limits,
        PriceBook.from_config(config),
        hold_seconds=max(deadline, _MIN_HOLD_SECONDS) + 60.0,
        global_budget=GlobalBudget(config.settings.max_budget, config.settings.budget_duration),
    )


def with_api_deployments(config: Config, control: ControlPlane | None) -> Config:
    """``config`` plus the deployments added through the admin API (a deployment whose
    ``model_name`` the file also uses joins that group)."""
    added = control.api_deployments if control is not None else ()
    if not added:
        return config
    return dataclasses.replace(config, model_list=config.model_list + added)


def build_state(
    config: Config,
    *,
    master_key: Secret | None = None,
    control: ControlPlane | None = None,
    reuse: GatewayState | None = None,
) -> GatewayState:
    """The state for ``config``. With a ``control`` plane, virtual keys authenticate and
    limits, budgets and spend logs apply; the caller starts and closes it. With ``reuse``
    (a rebuild after a model change), its upstream client and router state carry over when
    the egress policy is unchanged, so cooldowns and pooled connections survive."""
    from lockgate.router import Router  # the router is the gateway's dispatcher
    from lockgate.router.state.base import RouterState

    base_config, config = config, with_api_deployments(config, control)
    registry = ProviderRegistry()
    egress = egress_policy_for(config, registry)
    # The router's state (cooldowns, usage): through any wrapper (tracing) around it.
    old_state = getattr(reuse.dispatcher, "state", None) if reuse is not None else None
    if reuse is not None and reuse.client.transport.policy == egress:
        client = reuse.client
    else:
        client = Client(
            settings=ClientSettings(drop_params=config.settings.drop_params),
            registry=registry,
            egress=egress,
        )
    dispatcher: ModelDispatcher = Router.from_config(
        config, client=client, state=old_state if isinstance(old_state, RouterState) else None
    )
    key = master_key or config.general.master_key or Secret("sk-" + secrets.token_urlsafe(32))
    limits = GatewayLimits(
        max_body_bytes=config.lockgate.max_request_body_bytes,
        request_timeout=_request_deadline(config),
    )
    authenticators: tuple[Authenticator, ...] = (MasterKeyAuthenticator(key),)
    if control is not None:
        authenticators += (control.authenticator,)
    return GatewayState(
        config=config,
        dispatcher=dispatcher,
        authenticators=authenticators,
        limits=limits,
        master_key=key,
        model_names=frozenset(dispatcher.get_model_names(include_aliases=True)),
        listed_models=tuple(sorted(_listed_models(config))),
        client=client,
        request_policy=(
            _request_policy(config, control, limits.request_timeout) if control else None
        ),
        control=control,
        base_config=base_config,
    )


def rebuild_state(state: GatewayState) -> GatewayState:
    """The same config with the current API-added deployments (after a model change)."""
    return build_state(
        state.base_config or state.config,
        master_key=state.master_key,
        control=state.control,
        reuse=state,
    )
