"""A full scenario through the real gateway (chat, stream, embeddings, completions, the
Anthropic route, upstream errors, /metrics, /health, /openapi.json, virtual keys, bad key
attempts), then EVERYTHING it wrote is scanned for the literal key strings: response headers
and bodies, the access log, Python logging, stdout/stderr, and every file of its data folder
(the SQLite store of keys and spend logs)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from lockgate.config import parse_config
from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, running_gateway

OPENAI_KEY = "sk-upstream-openai-7d41c9e2b8"
ANTHROPIC_KEY = "sk-ant-upstream-5e02fa91c3"
BAD_KEYS = (MASTER_KEY + "-typo", "sk-wrong-key-0c9d1e", "Bearer-without-scheme")
INJECTED_KEY = "sk-client-injected-3b8a"


@dataclass
class Recorder:
    """Every response the scenario received (status, headers, body)."""

    url: str
    seen: list[tuple[str, int, str, bytes]] = field(default_factory=list)
    exempt: set[int] = field(default_factory=set)  # indexes of responses that may show a key

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        key: str | None = MASTER_KEY,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        sent = dict(headers or {})
        if key is not None:
            sent.setdefault("Authorization", f"Bearer {key}")
        if body is not None:
            sent["Content-Type"] = "application/json"
        async with aiohttp.ClientSession() as session:
            async with session.request(
                method, self.url + path, data=_encoded(body), headers=sent
            ) as response:
                data = await response.read()
                raw_headers = "\n".join(f"{k}: {v}" for k, v in response.raw_headers_decoded())
                self.seen.append((path, response.status, raw_headers, data))
                return response.status, data


def _encoded(body: Any) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    return orjson.dumps(body)


def _decoded(headers: Any) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers]


aiohttp.ClientResponse.raw_headers_decoded = lambda self: _decoded(self.raw_headers)  # type: ignore[attr-defined]


def config(mock_url: str) -> str:
    return (
        "model_list:\n"
        "  - model_name: gpt-4o-mini\n"
        "    litellm_params:\n"
        "      model: openai/gpt-4o-mini\n"
        f"      api_base: {mock_url}/v1\n"
        f"      api_key: {OPENAI_KEY}\n"
        "  - model_name: claude\n"
        "    litellm_params:\n"
        "      model: anthropic/claude-sonnet-4-5\n"
        f"      api_base: {mock_url}\n"
        f"      api_key: {ANTHROPIC_KEY}\n"
    )


CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]}
CLAUDE = {"model": "claude", "max_tokens": 32, "messages": [{"role": "user", "content": "hi"}]}


async def scenario(run: Recorder, mock: MockServer) -> str:
    """Drive every surface; returns the virtual key it created."""
    assert (await run.call("POST", "/v1/chat/completions", CHAT))[0] == 200
    assert (await run.call("POST", "/v1/chat/completions", {**CHAT, "stream": True}))[0] == 200
    assert (await run.call("POST", "/v1/chat/completions", {**CHAT, "model": "claude"}))[0] == 200
    assert (await run.call("POST", "/v1/embeddings", {"model": "gpt-4o-mini", "input": "x"}))[
        0
    ] == 200
    assert (await run.call("POST", "/v1/completions", {"model": "gpt-4o-mini", "prompt": "x"}))[
        0
    ] == 200
    for body in (CLAUDE, {**CLAUDE, "stream": True}, {**CLAUDE, "model": "gpt-4o-mini"}):
        assert (await run.call("POST", "/v1/messages", body))[0] == 200
    assert (await run.call("POST", "/v1/messages/count_tokens", CLAUDE))[0] == 200
    # Upstream failures of every kind, both providers, both routes, streamed too.
    # What went upstream carried the provider keys (so a leak would contain them too).
    upstream = str(mock.requests)
    assert OPENAI_KEY in upstream and ANTHROPIC_KEY in upstream
    # (The gateway forwards no client header upstream, so the mock is scripted by queue;
    # enough failures queued to outlast the router's retries, the rest dropped.)
    for status_code in (401, 403, 429, 500, 503, 400):
        for path, body in (("/v1/chat/completions", CHAT), ("/v1/messages", CLAUDE)):
            mock.script([{"status": status_code, "retry_after_s": 0.01, "times": 10}])
            status, _ = await run.call("POST", path, body)
            mock.reset()
            assert status >= 400, (path, status_code, status)
    mock.script([{"stream_error_after": 1}])
    await run.call("POST", "/v1/chat/completions", {**CHAT, "stream": True})
    mock.script([{"break_after": 1}])
    await run.call("POST", "/v1/messages", {**CLAUDE, "stream": True})
    # Client mistakes: bad keys, destination overrides carrying a key, malformed bodies.
    for bad in BAD_KEYS:
        for path in ("/v1/chat/completions", "/v1/messages", "/metrics", "/key/info"):
            status, _ = await run.call("POST" if "/v1/" in path else "GET", path, CHAT, key=bad)
            assert status in (401, 403), (path, status)
        await run.call("GET", "/v1/models", key=None, headers={"x-api-key": bad})
    assert (await run.call("POST", "/v1/chat/completions", {**CHAT, "api_key": INJECTED_KEY}))[
        0
    ] == 400
    await run.call(
        "POST", "/v1/chat/completions", {**CHAT, "extra_body": {"api_key": INJECTED_KEY}}
    )
    await run.call("POST", "/v1/chat/completions", b"{not json")
    # Operator surfaces.
    for path in (
        "/metrics",
        "/health",
        "/health/liveliness",
        "/health/readiness",
        "/v1/models",
        "/openapi.json",
    ):
        assert (await run.call("GET", path))[0] == 200, path
    # A virtual key: shown once by /key/generate, never again.
    status, made = await run.call(
        "POST", "/key/generate", {"key_alias": "scan", "models": ["gpt-4o-mini"]}
    )
    assert status == 200
    run.exempt.add(len(run.seen) - 1)
    virtual = orjson.loads(made)["key"]
    assert (await run.call("POST", "/v1/chat/completions", CHAT, key=virtual))[0] == 200
    assert (
        await run.call("POST", "/v1/messages", {**CLAUDE, "model": "gpt-4o-mini"}, key=virtual)
    )[0] == 200
    assert (
        await run.call("POST", "/v1/chat/completions", {**CHAT, "model": "claude"}, key=virtual)
    )[0] == 403
    await run.call("GET", "/key/info", key=virtual)
    await run.call("GET", f"/key/info?key={orjson.loads(made)['token_id']}")
    await run.call("GET", "/key/list")
    await run.call("GET", "/spend/logs")
    await run.call("GET", "/metrics")
    return virtual


async def test_no_key_is_ever_written(
    mock: MockServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "data"
    parsed = parse_config(config(mock.url), source="<secrets>", env={})
    async with running_gateway(parsed, data_dir=data_dir) as gateway:
        recorder = Recorder(gateway.url)
        virtual = await scenario(recorder, mock)
        access_log = gateway.log.getvalue()
    out, err = capfd.readouterr()
    secrets = [MASTER_KEY, OPENAI_KEY, ANTHROPIC_KEY, virtual, INJECTED_KEY, *BAD_KEYS]

    places: dict[str, bytes] = {
        "access log": access_log.encode(),
        "python logging": caplog.text.encode(),
        "stdout": out.encode(),
        "stderr": err.encode(),
    }
    for index, (path, status, headers, body) in enumerate(recorder.seen):
        if index not in recorder.exempt:
            places[f"response #{index} {path} {status}"] = headers.encode() + b"\n\n" + body
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert files, "the control plane wrote nothing: the store scan would be empty"
    for path in files:
        places[f"file {path.relative_to(tmp_path)}"] = path.read_bytes()
    assert len(access_log.splitlines()) >= len(recorder.seen)
    leaks = [
        f"{secret[:10]}... in {where}"
        for where, data in places.items()
        for secret in secrets
        if secret.encode() in data
    ]
    assert leaks == []


async def test_the_scan_would_see_a_leak(mock: MockServer) -> None:
    """Control: the same recorder sees the one response that does show a key."""
    parsed = parse_config(config(mock.url), source="<secrets>", env={})
    async with running_gateway(parsed) as gateway:
        recorder = Recorder(gateway.url)
        await recorder.call("POST", "/key/generate", {"key_alias": "shown-once"})
    (_, status, _, body) = recorder.seen[0]
    assert status == 200 and orjson.loads(body)["key"].encode() in body
