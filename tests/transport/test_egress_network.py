"""The egress policy on real sockets: a refused destination never receives a connection."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from lockgate.errors import EgressDeniedError
from lockgate.transport import EgressPolicy, HttpTransport, Timeouts, UpstreamRequest

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


@dataclass
class CountingServer:
    """A raw TCP listener that counts connections and answers a fixed HTTP response."""

    host: str
    port: int = 0
    connections: int = 0
    bytes_received: int = 0
    reply: bytes = RESPONSE
    server: asyncio.Server | None = field(default=None, repr=False)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        data = await reader.read(65536)
        self.bytes_received += len(data)
        writer.write(self.reply)
        await writer.drain()
        writer.close()

    async def __aenter__(self) -> CountingServer:
        self.server = await asyncio.start_server(self._handle, self.host, 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


class FixedResolver:
    """Stands in for DNS: maps names to the addresses a hostile DNS server might return."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers

    async def resolve(self, host: str, port: int) -> list[str]:
        return [self.answers[host]]


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    async with CountingServer("127.0.0.1") as srv:
        yield srv


def get(url: str, extra: frozenset[str] = frozenset()) -> UpstreamRequest:
    return UpstreamRequest("GET", url, {}, None, extra)


async def test_host_not_allowed_never_connects(server: CountingServer) -> None:
    transport = HttpTransport(EgressPolicy(allowed_hosts=frozenset({"api.openai.com"})))
    try:
        with pytest.raises(EgressDeniedError):
            await transport.send(get(f"http://127.0.0.1:{server.port}/"), Timeouts())
        assert server.connections == 0
        # Control: the same server is reachable once its host is allowed.
        allowed = get(f"http://127.0.0.1:{server.port}/", frozenset({"127.0.0.1"}))
        response = await transport.send(allowed, Timeouts())
        assert response.status == 200 and response.body == b"ok"
        assert server.connections == 1
    finally:
        await transport.aclose()


async def test_allowed_name_resolving_to_refused_address_never_connects(
    server: CountingServer,
) -> None:
    # The listener's address plays the metadata service: refused by the policy's ranges.
    refused = ipaddress.ip_network("127.0.0.1/32")
    policy = EgressPolicy(
        allowed_hosts=frozenset({"rebind.test"}),
        denied_networks=(refused,),
    )
    transport = HttpTransport(policy, dns_resolver=FixedResolver({"rebind.test": "127.0.0.1"}))
    try:
        with pytest.raises(EgressDeniedError, match="resolves to refused address 127.0.0.1"):
            await transport.send(get(f"http://rebind.test:{server.port}/"), Timeouts())
        assert server.connections == 0
    finally:
        await transport.aclose()
    # Control: with the range not refused, the very same request connects.
    open_policy = EgressPolicy(allowed_hosts=frozenset({"rebind.test"}), denied_networks=())
    transport = HttpTransport(open_policy, dns_resolver=FixedResolver({"rebind.test": "127.0.0.1"}))
    try:
        response = await transport.send(get(f"http://rebind.test:{server.port}/"), Timeouts())
        assert response.status == 200
        assert server.connections == 1
    finally:
        await transport.aclose()


async def test_redirect_to_another_host_is_not_followed() -> None:
    async with CountingServer("127.0.0.1") as target:
        redirect = (
            f"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{target.port}/stolen\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n"
        ).encode()
        async with CountingServer("127.0.0.1", reply=redirect) as origin:
            transport = HttpTransport(EgressPolicy(allow_any_host=True))
            try:
                response = await transport.send(get(f"http://127.0.0.1:{origin.port}/"), Timeouts())
            finally:
                await transport.aclose()
        assert response.status == 302
        assert origin.connections == 1
        assert target.connections == 0


async def test_literal_metadata_address_never_dialled() -> None:
    transport = HttpTransport(EgressPolicy(allow_any_host=True))
    try:
        with pytest.raises(EgressDeniedError):
            await transport.send(
                get("http://169.254.169.254/latest/meta-data/"), Timeouts(connect=0.5)
            )
    finally:
        await transport.aclose()
