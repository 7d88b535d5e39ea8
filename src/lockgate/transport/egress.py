"""The egress policy: which hosts and addresses lockgate may open a connection to.

Checked twice, both times before any packet leaves: the URL's host against the allowed host
names (and, for a literal IP, against the address rules), and every address a host name
resolves to against the address rules — so a permitted name that resolves to the cloud
metadata service is refused too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from lockgate.errors import EgressDeniedError

__all__ = ["DEFAULT_DENIED_NETWORKS", "EgressPolicy", "IPNetwork"]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Link-local (where AWS, GCP and Azure serve instance metadata and credentials), AWS's IPv6
# metadata address, and the "this network" block. Refused unless explicitly allowed.
DEFAULT_DENIED_NETWORKS: tuple[IPNetwork, ...] = (
    ipaddress.ip_network("169.254.0.0/16"),
    ipaddress.ip_network("fd00:ec2::254/128"),
    ipaddress.ip_network("fe80::/10"),
    ipaddress.ip_network("0.0.0.0/8"),
    ipaddress.ip_network("100.100.100.200/32"),  # Alibaba Cloud metadata
)


def _normalise_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


@dataclass(frozen=True, slots=True)
class EgressPolicy:
    """Immutable. ``allowed_hosts`` holds exact names or ``*.suffix`` patterns.

    ``allow_any_host`` exists for the SDK used directly by trusted code that passes its own
    ``api_base``; the gateway never sets it. Address rules apply in every case.
    """

    allowed_hosts: frozenset[str] = frozenset()
    allow_any_host: bool = False
    denied_networks: tuple[IPNetwork, ...] = DEFAULT_DENIED_NETWORKS
    allowed_networks: tuple[IPNetwork, ...] = ()
    _suffixes: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        hosts = frozenset(_normalise_host(h) for h in self.allowed_hosts)
        object.__setattr__(self, "allowed_hosts", hosts)
        suffixes = tuple(sorted(h[1:] for h in hosts if h.startswith("*.")))
        object.__setattr__(self, "_suffixes", suffixes)

    def with_hosts(self, hosts: Iterable[str]) -> EgressPolicy:
        return replace(self, allowed_hosts=self.allowed_hosts | frozenset(hosts))

    def with_allowed_networks(self, networks: Iterable[str]) -> EgressPolicy:
        extra = tuple(ipaddress.ip_network(n, strict=False) for n in networks)
        return replace(self, allowed_networks=self.allowed_networks + extra)

    def host_allowed(self, host: str) -> bool:
        name = _normalise_host(host)
        if self.allow_any_host or name in self.allowed_hosts:
            return True
        return any(name.endswith(suffix) for suffix in self._suffixes)

    def address_allowed(self, address: str | IPAddress) -> bool:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:169.254.169.254 is the same destination
        if any(ip in net for net in self.allowed_networks):
            return True
        return not any(ip in net for net in self.denied_networks)

    def check_url(self, url: str, extra_hosts: frozenset[str] = frozenset()) -> None:
        """Raise EgressDeniedError unless a connection to ``url``'s host may be opened."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise EgressDeniedError(f"egress refused: scheme {parts.scheme!r} is not http(s)")
        host = _normalise_host(parts.hostname or "")
        if not host:
            raise EgressDeniedError("egress refused: URL has no host")
        literal = _as_ip(host)
        if literal is not None and not self.address_allowed(literal):
            raise EgressDeniedError(f"egress refused: address {host} is in a refused range")
        if not (self.host_allowed(host) or host in extra_hosts):
            raise EgressDeniedError(
                f"egress refused: host {host!r} is not in the allowed hosts "
                "(add it to the deployment's api_base or lockgate_settings.egress.allow_hosts)"
            )

    def check_addresses(self, host: str, addresses: Iterable[str]) -> None:
        refused = [a for a in addresses if not self.address_allowed(a)]
        if refused:
            raise EgressDeniedError(
                f"egress refused: host {_normalise_host(host)!r} resolves to refused "
                f"address {refused[0]}"
            )


def _as_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
