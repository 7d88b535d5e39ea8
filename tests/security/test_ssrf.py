"""Clients never choose destinations: destination fields in bodies, headers and query are a
400 on every route (OpenAI and Anthropic shapes); a configured host that resolves to the
metadata service or another refused range is never dialled; redirects are not followed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from lockgate.config import parse_config
from lockgate.mock import MockServer
from lockgate.transport.http_client import HttpTransport
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway

AUTH = {"Authorization": f"Bearer {MASTER_KEY}"}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
BODIES: dict[str, dict[str, Any]] = {
    "/v1/chat/completions": CHAT,
    "/v1/completions": {"model": "gpt-4o-mini", "prompt": "hi"},
    "/v1/embeddings": {"model": "gpt-4o-mini", "input": "hi"},
    "/v1/messages": {**CHAT, "max_tokens": 16},
    "/v1/messages/count_tokens": CHAT,
    "/v1/responses": {"model": "gpt-4o-mini", "input": "hi"},
    "/v1/images/generations": {"model": "gpt-4o-mini", "prompt": "a cat"},
    "/chat/completions": CHAT,  # the same routes without the /v1 prefix
    "/messages": {**CHAT, "max_tokens": 16},
}
BODY_FIELDS = [
    ("api_base", "http://169.254.169.254/latest"),
    ("base_url", "http://evil.example"),
    ("api_key", "sk-attacker"),
    ("aws_secret_access_key", "x"),
    ("vertex_credentials", "{}"),
    ("azure_endpoint", "http://evil.example"),
]


@pytest.fixture
async def gateway(mock: MockServer) -> AsyncIterator[RunningGateway]:
    async with running_gateway(config_for_mock(mock.url), control=False) as running:
        yield running


async def send(
    url: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url,
            data=orjson.dumps(body),
            headers={**AUTH, "Content-Type": "application/json", **(headers or {})},
        ) as response:
            return response.status, await response.json(content_type=None)


def assert_refused(path: str, status: int, payload: dict[str, Any], named: str) -> None:
    assert status == 400, (path, payload)
    if "/messages" in path:
        assert payload["type"] == "error" and payload["error"]["type"] == "invalid_request_error"
        assert named in payload["error"]["message"]
    else:
        assert set(payload["error"]) == {"message", "type", "param", "code"}
        assert payload["error"]["param"] == named and named in payload["error"]["message"]


async def test_destination_fields_in_bodies(gateway: RunningGateway, mock: MockServer) -> None:
    for path, body in BODIES.items():
        for field, value in BODY_FIELDS:
            status, payload = await send(gateway.url + path, {**body, field: value})
            assert_refused(path, status, payload, field)
    assert mock.requests == []


async def test_destination_fields_nested(gateway: RunningGateway, mock: MockServer) -> None:
    for path in ("/v1/messages", "/v1/embeddings", "/v1/chat/completions"):
        for nested in ("extra_body", "litellm_params"):
            body = {**BODIES[path], nested: {"api_base": "http://x"}}
            status, payload = await send(gateway.url + path, body)
            assert_refused(path, status, payload, f"{nested}.api_base")
    assert mock.requests == []


async def test_destination_headers(gateway: RunningGateway, mock: MockServer) -> None:
    headers = [
        "api-base",
        "x-base-url",
        "X-LiteLLM-API-Base",
        "x-lockgate-api-key",
        "aws-session-token",
    ]
    for path in ("/v1/messages", "/v1/embeddings", "/v1/chat/completions"):
        for header in headers:
            status, payload = await send(gateway.url + path, BODIES[path], {header: "http://x"})
            assert_refused(path, status, payload, header.lower())  # names arrive lower-case
    assert mock.requests == []


async def test_destination_query_parameters(gateway: RunningGateway, mock: MockServer) -> None:
    for path in ("/v1/messages", "/v1/embeddings", "/v1/chat/completions", "/v1/models"):
        for name in ("api_base", "base_url", "api_key", "aws_region_name"):
            url = f"{gateway.url}{path}?{name}=http://evil.example"
            if path == "/v1/models":
                async with aiohttp.ClientSession() as session:
                    async with session.get(url, headers=AUTH) as response:
                        status, payload = response.status, await response.json()
            else:
                status, payload = await send(url, BODIES[path])
            assert_refused(path, status, payload, name)
    assert mock.requests == []


async def test_inbound_authorization_is_not_forwarded(
    gateway: RunningGateway, mock: MockServer
) -> None:
    status, _ = await send(gateway.url + "/v1/chat/completions", CHAT)
    assert status == 200
    (seen,) = mock.requests
    assert MASTER_KEY not in str(seen["headers"])
    assert seen["headers"]["authorization"] == "Bearer sk-upstream-secret-1234"


class FixedResolver:
    """Stands in for a hostile DNS server: every name resolves to ``address``."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.lookups: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return [self.address]

    async def close(self) -> None:
        return None


REFUSED = ["169.254.169.254", "169.254.170.2", "fd00:ec2::254", "0.0.0.0", "100.100.100.200"]


async def test_configured_host_resolving_to_a_refused_range_is_never_dialled() -> None:
    config = parse_config(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/m\n"
        "      api_base: http://rebound.test:8080/v1\n      api_key: sk-upstream\n",
        source="<test>",
        env={},
    )
    async with running_gateway(config, control=False) as gateway:
        client = gateway.app.state.client
        policy = client.transport.policy
        for address in [*REFUSED, "::ffff:169.254.169.254"]:
            resolver = FixedResolver(address)
            await client.transport.aclose()
            client.transport = HttpTransport(policy, dns_resolver=resolver)
            status, payload = await send(
                gateway.url + "/v1/chat/completions", {**CHAT, "model": "m"}
            )
            assert resolver.lookups == ["rebound.test"], address
            assert status == 403, (address, payload)
            assert payload["error"]["type"] == "egress_denied"
            assert "refused address" in payload["error"]["message"], address
        await client.transport.aclose()


async def test_literal_metadata_address_in_config_is_refused() -> None:
    config = parse_config(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/m\n"
        "      api_base: http://169.254.169.254/latest\n      api_key: sk-upstream\n",
        source="<test>",
        env={},
    )
    async with running_gateway(config, control=False) as gateway:
        status, payload = await send(gateway.url + "/v1/chat/completions", {**CHAT, "model": "m"})
    assert status == 403 and payload["error"]["type"] == "egress_denied"


async def test_upstream_redirect_to_another_host_is_not_followed() -> None:
    hits: list[bytes] = []

    async def target(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hits.append(await reader.read(65536))
        writer.close()

    target_server = await asyncio.start_server(target, "127.0.0.1", 0)
    target_port = target_server.sockets[0].getsockname()[1]

    async def redirector(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(
            f"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://localhost:{target_port}/steal\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()

    origin = await asyncio.start_server(redirector, "127.0.0.1", 0)
    origin_port = origin.sockets[0].getsockname()[1]
    config = parse_config(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/m\n"
        f"      api_base: http://127.0.0.1:{origin_port}/v1\n      api_key: sk-upstream\n"
        "lockgate_settings:\n  egress:\n    allow_hosts: [localhost]\n",
        source="<test>",
        env={},
    )
    try:
        async with running_gateway(config, control=False) as gateway:
            status, payload = await send(
                gateway.url + "/v1/chat/completions", {**CHAT, "model": "m"}
            )
    finally:
        for server in (origin, target_server):
            server.close()
            await server.wait_closed()
    assert hits == []  # even with localhost allowed, the redirect was not followed
    assert status >= 400 and set(payload["error"]) == {"message", "type", "param", "code"}
