"""OpenTelemetry traces through the real gateway: the openai SDK on loopback, the mock as
the provider, spans kept in memory (and, last, exported over OTLP/HTTP to a receiver)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import openai
import pytest
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from lockgate.config import Config, ConfigError, parse_config
from lockgate.gateway.traced_app import TracedGatewayApp
from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway

ROOT = Path(__file__).resolve().parents[2]
PROMPT = "the secret plan is purple-giraffe-42"
REPLY = "a reply that must stay out of spans"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"
OTEL = 'litellm_settings:\n  callbacks: ["otel"]\n'


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


def _traced(
    config: Config, exporter: InMemorySpanExporter
) -> AbstractAsyncContextManager[RunningGateway]:
    """The gateway with tracing on, its spans kept in ``exporter``."""
    return running_gateway(config, control=False, span_processors=[SimpleSpanProcessor(exporter)])


def _client(gateway: RunningGateway) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0)


def _pair(spans: list[ReadableSpan]) -> tuple[ReadableSpan, ReadableSpan]:
    servers = [s for s in spans if s.kind is SpanKind.SERVER]
    clients = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert len(servers) == 1 and len(clients) == 1, [s.name for s in spans]
    return servers[0], clients[0]


def _assert_no_content(spans: list[ReadableSpan]) -> None:
    for span in spans:
        text = span.to_json()
        for secret in (PROMPT, REPLY, MASTER_KEY, "sk-upstream-secret-1234"):
            assert secret not in text, (span.name, secret)


async def _wait_for_spans(exporter: InMemorySpanExporter, count: int) -> list[ReadableSpan]:
    for _ in range(100):
        spans = list(exporter.get_finished_spans())
        if len(spans) >= count:
            return spans
        await asyncio.sleep(0.02)
    return list(exporter.get_finished_spans())


def _assert_server_span(server: ReadableSpan, request_id: str, status: int) -> None:
    assert server.name == "POST /v1/chat/completions"
    assert server.context is not None and server.parent is not None
    assert format(server.context.trace_id, "032x") == TRACE_ID
    assert format(server.parent.span_id, "016x") == PARENT_ID
    attrs = server.attributes or {}
    assert attrs["http.request.method"] == "POST"
    assert attrs["http.route"] == "/v1/chat/completions"
    assert attrs["http.response.status_code"] == status
    assert attrs["lockgate.request_id"] == request_id


def _assert_provider_span(client: ReadableSpan, server: ReadableSpan) -> dict[str, object]:
    assert client.parent is not None and server.context is not None
    assert client.parent.span_id == server.context.span_id
    attrs = dict(client.attributes or {})
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.system"] == "openai"
    assert attrs["gen_ai.request.model"] == "gpt-4o-mini"
    assert attrs["lockgate.model_group"] == "gpt-4o-mini"
    assert attrs["server.address"] == "127.0.0.1"
    assert isinstance(attrs["lockgate.deployment.id"], str) and attrs["lockgate.deployment.id"]
    return attrs


async def test_chat_non_stream_has_server_and_provider_spans(
    mock: MockServer, exporter: InMemorySpanExporter
) -> None:
    mock.script([{"content": REPLY, "usage": [11, 7]}])
    async with _traced(config_for_mock(mock.url, OTEL), exporter) as gateway:
        assert isinstance(gateway.app, TracedGatewayApp)
        client = _client(gateway)
        raw = await client.chat.completions.with_raw_response.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": PROMPT}],
            max_tokens=50,
            extra_headers={"traceparent": TRACEPARENT},
        )
        completion = raw.parse()
        await client.close()
        spans = await _wait_for_spans(exporter, 2)
    server, provider = _pair(spans)
    _assert_server_span(server, raw.headers["x-request-id"], 200)
    assert server.status.status_code is StatusCode.UNSET
    attrs = _assert_provider_span(provider, server)
    assert attrs["gen_ai.response.model"] == completion.model
    assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == (11, 7)
    assert attrs["gen_ai.request.max_tokens"] == 50
    assert attrs["gen_ai.response.finish_reasons"] == ("stop",)
    assert isinstance(attrs["lockgate.cost_usd"], float) and attrs["lockgate.cost_usd"] > 0
    assert provider.end_time is not None and server.end_time is not None
    assert provider.end_time <= server.end_time
    _assert_no_content(spans)


async def test_chat_stream_span_lasts_until_the_stream_ends(
    mock: MockServer, exporter: InMemorySpanExporter
) -> None:
    mock.script([{"content": REPLY, "usage": [5, 9]}])
    async with _traced(config_for_mock(mock.url, OTEL), exporter) as gateway:
        client = _client(gateway)
        raw = await client.chat.completions.with_raw_response.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": PROMPT}],
            stream=True,
            extra_headers={"traceparent": TRACEPARENT},
        )
        text = "".join([c.choices[0].delta.content or "" async for c in raw.parse() if c.choices])
        await client.close()
        spans = await _wait_for_spans(exporter, 2)
    assert text == REPLY
    server, provider = _pair(spans)
    _assert_server_span(server, raw.headers["x-request-id"], 200)
    attrs = _assert_provider_span(provider, server)
    assert attrs["lockgate.stream"] is True
    # Usage arrives with the last chunk: the span ended after it.
    assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == (5, 9)
    assert attrs["gen_ai.response.model"]
    assert [e.name for e in provider.events] == ["gen_ai.first_chunk"]
    _assert_no_content(spans)


async def test_upstream_429_marks_both_spans_as_errors(
    mock: MockServer, exporter: InMemorySpanExporter
) -> None:
    mock.script([{"status": 429, "retry_after_s": 0.01, "times": 5}])
    async with _traced(config_for_mock(mock.url, OTEL), exporter) as gateway:
        client = _client(gateway)
        with pytest.raises(openai.RateLimitError):
            await client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT}]
            )
        await client.close()
        spans = await _wait_for_spans(exporter, 2)
    server, provider = _pair(spans)
    assert provider.status.status_code is StatusCode.ERROR
    assert (provider.attributes or {})["error.type"] == "RateLimitError"
    assert (provider.attributes or {})["http.response.status_code"] == 429
    assert server.status.status_code is StatusCode.ERROR
    assert (server.attributes or {})["http.response.status_code"] == 429
    assert server.context is not None and provider.context is not None
    assert server.parent is None  # no traceparent: a new trace
    assert provider.context.trace_id == server.context.trace_id
    _assert_no_content(spans)


async def test_text_completion_stream_and_embeddings_are_traced(
    mock: MockServer, exporter: InMemorySpanExporter
) -> None:
    async with _traced(config_for_mock(mock.url, OTEL), exporter) as gateway:
        client = _client(gateway)
        stream = await client.completions.create(model="gpt-4o-mini", prompt=PROMPT, stream=True)
        assert [c async for c in stream]
        await client.embeddings.create(model="gpt-4o-mini", input=PROMPT)
        await client.close()
        spans = await _wait_for_spans(exporter, 4)
    by_name = {s.name: s for s in spans}
    assert {"POST /v1/completions", "POST /v1/embeddings", "chat gpt-4o-mini"} <= set(by_name)
    assert "embeddings gpt-4o-mini" in by_name
    _assert_no_content(spans)


def test_tracing_off_imports_nothing_from_opentelemetry() -> None:
    script = textwrap.dedent(
        """
        import asyncio, sys
        import aiohttp
        from lockgate.gateway.app import GatewayApp
        from lockgate.mock import MockServer
        from tests.gateway.harness import MASTER_KEY, config_for_mock, running_gateway

        async def main():
            async with MockServer() as mock:
                async with running_gateway(config_for_mock(mock.url), control=False) as gw:
                    assert type(gw.app) is GatewayApp
                    async with aiohttp.ClientSession() as session:
                        async with session.post(
                            gw.openai_base + "/chat/completions",
                            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
                            headers={"Authorization": "Bearer " + MASTER_KEY},
                        ) as response:
                            assert response.status == 200, response.status
            loaded = sorted(m for m in sys.modules if m.startswith("opentelemetry"))
            print("LOADED", loaded)

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "LOADED []" in done.stdout


def test_missing_extra_is_a_clear_startup_error() -> None:
    config = textwrap.dedent(
        """
        model_list:
          - model_name: m
            litellm_params: {model: openai/gpt-4o-mini, api_key: sk-x}
        litellm_settings:
          callbacks: ["otel"]
        """
    )
    script = textwrap.dedent(
        """
        import sys
        sys.modules["opentelemetry"] = None  # the extra is not installed
        from lockgate.cli.main import main
        sys.exit(main(["serve", "--config", sys.argv[1], "--port", "1"]))
        """
    )
    path = ROOT / ".pytest-otel-missing.yaml"
    path.write_text(config)
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        path.unlink()
    assert done.returncode == 2, done.stderr[-2000:]
    assert "pip install 'lockgate[otel]'" in done.stderr
    assert "litellm_settings.callbacks" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_exporter_settings_name_the_variable() -> None:
    with pytest.raises(ConfigError, match="OTEL_EXPORTER_OTLP_ENDPOINT"):
        parse_config(OTEL, env={"OTEL_EXPORTER_OTLP_ENDPOINT": "ftp://collector"})
    with pytest.raises(ConfigError, match="http/protobuf"):
        parse_config(OTEL, env={"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"})
    # Tracing off: the variables belong to other programs and are not checked.
    assert not parse_config(
        "", env={"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
    ).lockgate.tracing.enabled


async def test_otlp_http_export_configured_by_environment(mock: MockServer) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    async def collect(request: web.Request) -> web.Response:
        received.append((dict(request.headers), await request.read()))
        return web.Response(status=200, content_type="application/x-protobuf", body=b"")

    receiver = web.Application()
    receiver.router.add_post("/v1/traces", collect)
    runner = web.AppRunner(receiver, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
        "OTEL_EXPORTER_OTLP_HEADERS": "x-collector-key=abc%20def",
        "OTEL_SERVICE_NAME": "gateway-under-test",
    }
    config = parse_config(_config_text(mock.url) + OTEL, source="<otlp>", env=env)
    try:
        async with running_gateway(config, control=False) as gateway:
            client = openai.AsyncOpenAI(
                base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0
            )
            await client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT}]
            )
            await client.close()
        # Shutdown flushed the batch.
        assert received, "no export reached the receiver"
    finally:
        await runner.cleanup()
    headers, _ = received[0]
    assert headers["Content-Type"] == "application/x-protobuf"
    assert headers["x-collector-key"] == "abc def"
    assert PROMPT.encode() not in b"".join(b for _, b in received)
    export = ExportTraceServiceRequest()
    export.ParseFromString(b"".join(b for _, b in received[:1]))
    resource = {a.key: a.value.string_value for a in export.resource_spans[0].resource.attributes}
    assert resource["service.name"] == "gateway-under-test"
    names = {s.name for rs in export.resource_spans for ss in rs.scope_spans for s in ss.spans}
    assert {"POST /v1/chat/completions", "chat gpt-4o-mini"} <= names


def _config_text(mock_url: str) -> str:
    return (
        "model_list:\n"
        "  - model_name: gpt-4o-mini\n"
        "    litellm_params:\n"
        "      model: openai/gpt-4o-mini\n"
        f"      api_base: {mock_url}/v1\n"
        "      api_key: sk-upstream-secret-1234\n"
    )
