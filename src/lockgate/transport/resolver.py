"""Name resolution with the egress policy applied to every resolved address."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Protocol

from lockgate.transport.egress import EgressPolicy

__all__ = ["CheckingResolver", "Resolver", "SystemResolver"]


class Resolver(Protocol):
    """Resolves a host name to the addresses to dial, in order of preference."""

    async def resolve(self, host: str, port: int) -> list[str]: ...


class SystemResolver:
    """The operating system's resolver (getaddrinfo, run off the event loop)."""

    async def resolve(self, host: str, port: int) -> list[str]:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
        addresses: list[str] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            address = str(sockaddr[0])
            if address not in addresses:
                addresses.append(address)
        return addresses


class CheckingResolver:
    """Resolves with the wrapped resolver, then refuses the whole answer if any address is
    refused, and caches allowed answers for ``ttl`` seconds.

    Refusing the whole answer (not just filtering) keeps a DNS-rebinding host from slipping
    a metadata address in among good ones.
    """

    def __init__(self, policy: EgressPolicy, inner: Resolver | None = None, ttl: float = 10.0):
        self._policy = policy
        self._inner: Resolver = inner if inner is not None else SystemResolver()
        self._ttl = ttl
        self._cache: dict[tuple[str, int], tuple[float, list[str]]] = {}

    async def resolve(self, host: str, port: int) -> list[str]:
        now = time.monotonic()
        cached = self._cache.get((host, port))
        if cached is not None and cached[0] > now:
            return cached[1]
        addresses = await self._inner.resolve(host, port)
        if not addresses:
            raise OSError(f"{host} has no address")
        self._policy.check_addresses(host, addresses)
        if len(self._cache) >= 1024:
            self._cache.clear()
        self._cache[(host, port)] = (now + self._ttl, addresses)
        return addresses
