"""A call may go to the ``api_base`` it was configured with (by the caller of the SDK, or a
deployment in the gateway's config): that host is added to the request's allowed hosts
unless the transport's egress policy allows it already. Nothing a request body says can
add a host (the gateway refuses destination overrides before this point)."""

from __future__ import annotations

import functools
from typing import Protocol
from urllib.parse import urlsplit

from lockgate.client.chat_plan import ChatPlan
from lockgate.providers.call import Credentials
from lockgate.transport.egress import EgressPolicy
from lockgate.transport.messages import UpstreamRequest

__all__ = ["ConfiguredDestinations"]


class _HasPolicy(Protocol):
    @property
    def policy(self) -> EgressPolicy: ...


class _HasTransport(Protocol):
    @property
    def transport(self) -> _HasPolicy: ...


class ConfiguredDestinations:
    """Answers for `owner`'s transport as it is at each call (tests swap transports), with
    the policy's answer per set of hosts memoised (a policy is immutable)."""

    def __init__(self, owner: _HasTransport) -> None:
        self._owner = owner
        self._answers: dict[frozenset[str], tuple[EgressPolicy, bool]] = {}

    def allow_configured(
        self, request: UpstreamRequest, credentials: Credentials
    ) -> UpstreamRequest:
        """`request`, allowed to go to the api_base of `credentials`."""
        hosts = configured_hosts(credentials.api_base or "")
        if not hosts or self._policy_allows(hosts):
            return request
        return UpstreamRequest(request.method, request.url, request.headers, request.body, hosts)

    def allow_planned(self, request: UpstreamRequest, plan: ChatPlan) -> UpstreamRequest:
        """:meth:`allow_configured` for the plan's own credentials, with the answer kept on
        the plan (for as long as the transport's policy is the same object)."""
        policy = self._owner.transport.policy
        check = plan.host_check
        if check is None or check[0] is not policy:
            assert plan.credentials is not None
            allowed = self.allow_configured(request, plan.credentials) is request
            check = plan.host_check = (policy, allowed)
        if check[1]:
            return request
        assert plan.credentials is not None
        return self.allow_configured(request, plan.credentials)

    def _policy_allows(self, hosts: frozenset[str]) -> bool:
        """Whether the transport's egress policy allows ``hosts`` by itself (the usual case in
        the gateway, whose policy lists every deployment's host): then the request needs no
        extra allowed hosts."""
        policy = self._owner.transport.policy
        known = self._answers.get(hosts)
        if known is not None and known[0] is policy:
            return known[1]
        allowed = all(policy.host_allowed(host) for host in hosts)
        if len(self._answers) >= 512:
            self._answers.clear()
        self._answers[hosts] = (policy, allowed)
        return allowed


@functools.lru_cache(maxsize=512)
def configured_hosts(api_base: str) -> frozenset[str]:
    """The host of an api_base, as a set (memoised: deployments repeat the same few)."""
    host = urlsplit(api_base).hostname
    return frozenset({host}) if host else frozenset()
