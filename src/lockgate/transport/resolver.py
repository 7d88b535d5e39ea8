"""An aiohttp resolver that applies the egress policy to every resolved address."""

from __future__ import annotations

import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from lockgate.transport.egress import EgressPolicy

__all__ = ["EgressCheckingResolver"]


class EgressCheckingResolver(AbstractResolver):
    """Resolves with the wrapped resolver, then refuses the lookup if any address is refused.

    Refusing the whole answer (not just filtering) keeps a DNS-rebinding host from slipping
    a metadata address in among good ones.
    """

    def __init__(self, policy: EgressPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner if inner is not None else ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        self._policy.check_addresses(host, (r["host"] for r in results))
        return results

    async def close(self) -> None:
        await self._inner.close()
