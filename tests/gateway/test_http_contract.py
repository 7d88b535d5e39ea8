"""The HTTP contract at the edges: bounds, malformed input, auth policies, routes, metrics."""

from __future__ import annotations

import aiohttp
import pytest

from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway

AUTH = {"Authorization": f"Bearer {MASTER_KEY}"}


async def post(
    url: str, data: bytes | str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=data, headers={**AUTH, **(headers or {})}) as response:
            return response.status, await response.json(content_type=None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", None),
        ("[1, 2]", None),
        ("", None),
        ('{"messages": [{"role": "user", "content": "x"}]}', "model"),
        ('{"model": "gpt-4o-mini"}', "messages"),
        ('{"model": "gpt-4o-mini", "messages": []}', "messages"),
        (
            '{"model": "gpt-4o-mini", "messages": [{"role": "wizard", "content": "x"}]}',
            "messages[0].role",
        ),
        (
            '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": 5}]}',
            "messages[0].content",
        ),
        (
            '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}], "temperature": "hot"}',
            "temperature",
        ),
        (
            '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}], "max_tokens": 0}',
            "max_tokens",
        ),
        (
            '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}], "stream": "yes"}',
            "stream",
        ),
        ('{"model": 7, "messages": [{"role": "user", "content": "x"}]}', "model"),
    ],
)
async def test_malformed_requests_are_400_naming_the_field(
    gateway: RunningGateway, body: str, field: str | None
) -> None:
    status, payload = await post(
        gateway.openai_base + "/chat/completions", body, {"Content-Type": "application/json"}
    )
    assert status == 400
    error = payload["error"]
    assert isinstance(error, dict)
    assert set(error) == {"message", "type", "param", "code"}
    if field is not None:
        assert error["param"] == field and field in str(error["message"])


@pytest.mark.parametrize(
    ("body", "headers", "named"),
    [
        (
            '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"api_base":"http://evil"}',
            {},
            "api_base",
        ),
        (
            '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"base_url":"http://evil"}',
            {},
            "base_url",
        ),
        (
            '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"api_key":"sk-x"}',
            {},
            "api_key",
        ),
        (
            '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"aws_region_name":"x"}',
            {},
            "aws_region_name",
        ),
        (
            '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"vertex_credentials":"{}"}',
            {},
            "vertex_credentials",
        ),
        (
            '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"extra_body":{"api_base":"x"}}',
            {},
            "extra_body.api_base",
        ),
        (
            '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}',
            {"x-api-base": "http://evil"},
            "x-api-base",
        ),
        (
            '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}',
            {"api-version": "2024-01-01"},
            "api-version",
        ),
    ],
)
async def test_client_chosen_destinations_are_refused(
    gateway: RunningGateway, mock: MockServer, body: str, headers: dict[str, str], named: str
) -> None:
    status, payload = await post(gateway.openai_base + "/chat/completions", body, headers)
    assert status == 400
    assert named in str(payload["error"])
    assert mock.requests == []


async def test_query_destination_refused(gateway: RunningGateway) -> None:
    status, _ = await post(
        gateway.openai_base + "/chat/completions?api_base=http://evil",
        '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}',
    )
    assert status == 400


async def test_body_too_large_is_413(mock: MockServer) -> None:
    config = config_for_mock(mock.url, "lockgate_settings:\n  max_request_body_bytes: 2048\n")
    async with running_gateway(config) as gateway:
        status, payload = await post(
            gateway.openai_base + "/chat/completions",
            "x" * 5000,
            {"Content-Type": "application/json"},
        )
    assert status == 413
    assert "2048" in str(payload["error"])


async def test_unknown_route_and_method(gateway: RunningGateway) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(gateway.url + "/v1/nope", headers=AUTH) as response:
            assert response.status == 404
            assert "error" in await response.json()
        async with session.get(gateway.url + "/v1/chat/completions", headers=AUTH) as response:
            assert response.status == 405


async def test_paths_work_without_v1_prefix(gateway: RunningGateway) -> None:
    status, payload = await post(
        gateway.url + "/chat/completions",
        '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}',
    )
    assert status == 200 and payload["object"] == "chat.completion"


async def test_route_policies(gateway: RunningGateway) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(gateway.url + "/health/liveliness") as response:
            assert response.status == 200
        async with session.get(gateway.url + "/health/readiness") as response:
            assert response.status == 200
        for path in ("/metrics", "/health", "/v1/models"):
            async with session.get(gateway.url + path) as response:
                assert response.status == 401, path
        async with session.get(gateway.url + "/metrics", headers=AUTH) as response:
            assert response.status == 200
            text = await response.text()
    assert "lockgate_requests_total" in text
    assert "lockgate_overhead_duration_seconds" in text
    assert MASTER_KEY not in text


async def test_metrics_count_requests_tokens_and_errors(
    gateway: RunningGateway, mock: MockServer
) -> None:
    body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}'
    await post(gateway.openai_base + "/chat/completions", body)
    mock.script([{"status": 500, "times": 5}])
    await post(gateway.openai_base + "/chat/completions", body)
    async with aiohttp.ClientSession() as session:
        async with session.get(gateway.url + "/metrics", headers=AUTH) as response:
            text = await response.text()
    assert "lockgate_requests_total{deployment=" in text or "lockgate_requests_total{" in text
    assert 'status="200"' in text and 'status="500"' in text
    assert 'direction="input"' in text
    assert 'error_class="InternalServerError"' in text
