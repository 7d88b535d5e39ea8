"""The gateway's metrics export exactly what prometheus_client's own metric objects would."""

from __future__ import annotations

import io
import time

import orjson
import prometheus_client
import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from lockgate.observability import AccessLog, GatewayMetrics, RequestOutcome
from lockgate.observability.metrics import _LATENCY_BUCKETS, _OVERHEAD_BUCKETS

OUTCOMES = [
    RequestOutcome("chat", "m1", "d1", 200, 0.003, 0.0002, None, 19, 10, 1.5e-5, None, "k1"),
    RequestOutcome("chat", "m1", "d1", 200, 0.7, 0.0009, None, 19, 10, 1.5e-5, None, "k1"),
    RequestOutcome("chat", "m1", "d2", 200, 0.05, 0.00001, 0.02, 5, 0, None, None, "k2", "t1"),
    RequestOutcome("embeddings", "m2", "d3", 429, 0.001, 0.001, None, 0, 0, None, "RateLimit"),
    RequestOutcome("chat", "other", "", 400, 12.0, 11.0, None, 0, 0, 0.0, "BadRequest", "k1"),
    RequestOutcome("chat", "m1", "d1", 200, 500.0, -1.0, 1.0, 3, 4, 2e-6, None, "k1"),
    RequestOutcome("chat", "m1", "d1", 200, 0.005, 0.0001, 0.005, 1, 1, 1e-6, None, "k1"),
]


def reference(outcomes: list[RequestOutcome]) -> bytes:
    """The same metrics kept with prometheus_client's Counter, Histogram and Gauge."""
    r = CollectorRegistry(auto_describe=True)
    requests = Counter(
        "lockgate_requests",
        "Requests answered, by route, model group, deployment and HTTP status.",
        ("route", "model", "deployment", "status", "key", "team"),
        registry=r,
    )
    latency = Histogram(
        "lockgate_request_duration_seconds",
        "Time from request received to response complete.",
        ("route", "model"),
        buckets=_LATENCY_BUCKETS,
        registry=r,
    )
    overhead = Histogram(
        "lockgate_overhead_duration_seconds",
        "Gateway time: total time minus the time spent waiting on the provider.",
        ("route",),
        buckets=_OVERHEAD_BUCKETS,
        registry=r,
    )
    ttft = Histogram(
        "lockgate_time_to_first_token_seconds",
        "Streams: time from request received to the first chunk sent.",
        ("model",),
        buckets=_LATENCY_BUCKETS,
        registry=r,
    )
    tokens = Counter(
        "lockgate_tokens",
        "Tokens, by direction (input, output).",
        ("model", "deployment", "direction"),
        registry=r,
    )
    cost = Counter(
        "lockgate_cost_usd",
        "Provider cost in US dollars from the packaged price table.",
        ("model", "deployment", "key", "team"),
        registry=r,
    )
    errors = Counter(
        "lockgate_errors",
        "Failed requests, by error class.",
        ("route", "model", "error_class"),
        registry=r,
    )
    in_flight = Gauge("lockgate_in_flight_requests", "Requests being processed.", registry=r)
    for o in outcomes:
        # The series of one label combination are made together, on its first request.
        counted = requests.labels(
            o.route, o.model, o.deployment, str(o.status), o.key_id, o.team_id
        )
        timed = latency.labels(o.route, o.model)
        gateway_time = overhead.labels(o.route)
        tokens_in = tokens.labels(o.model, o.deployment, "input")
        tokens_out = tokens.labels(o.model, o.deployment, "output")
        spent = cost.labels(o.model, o.deployment, o.key_id, o.team_id)
        counted.inc()
        timed.observe(o.total_seconds)
        gateway_time.observe(max(0.0, o.overhead_seconds))
        if o.ttft_seconds is not None:
            ttft.labels(o.model).observe(o.ttft_seconds)
        if o.prompt_tokens:
            tokens_in.inc(o.prompt_tokens)
        if o.completion_tokens:
            tokens_out.inc(o.completion_tokens)
        if o.cost:
            spent.inc(o.cost)
        if o.error_class is not None:
            errors.labels(o.route, o.model, o.error_class).inc()
    in_flight.inc()
    in_flight.inc()
    in_flight.dec()
    return generate_latest(r)


def test_exposition_is_prometheus_clients_own(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(range(1_700_000_000, 1_800_000_000))
    monkeypatch.setattr(time, "time", lambda: float(next(clock)))
    expected = reference(OUTCOMES)
    clock = iter(range(1_700_000_000, 1_800_000_000))
    metrics = GatewayMetrics()
    for outcome in OUTCOMES:
        metrics.record(outcome)
    metrics.in_flight.inc()
    metrics.in_flight.inc()
    metrics.in_flight.dec()
    assert metrics.render().decode() == expected.decode()
    assert b'lockgate_requests_total{deployment="d1",key="k1",model="m1"' in expected


def test_created_series_can_be_switched_off_as_for_prometheus_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``PROMETHEUS_DISABLE_CREATED_SERIES`` (read by prometheus_client at import) and
    ``disable_created_metrics()`` set the same switch; both exports follow it."""
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.0)
    prometheus_client.disable_created_metrics()
    try:
        expected = reference(OUTCOMES)
        metrics = GatewayMetrics()
        for outcome in OUTCOMES:
            metrics.record(outcome)
        metrics.in_flight.inc()
        metrics.in_flight.inc()
        metrics.in_flight.dec()
        rendered = metrics.render()
    finally:
        prometheus_client.enable_created_metrics()
    assert rendered.decode() == expected.decode()
    assert b"_created" not in rendered and b"lockgate_requests_total" in rendered
    assert b"_created" in metrics.render()  # on again


def test_negative_counts_are_refused_as_by_prometheus_client() -> None:
    metrics = GatewayMetrics()
    with pytest.raises(ValueError, match="non-negative"):
        metrics.record(RequestOutcome("chat", "m", "d", 200, 0.1, 0.1, prompt_tokens=-1))


def test_access_log_line_is_json_with_every_field() -> None:
    sink = io.StringIO()
    log = AccessLog(sink)
    outcome = RequestOutcome(
        "chat", "m1", "d1", 200, 0.0123456, 0.0004444, 0.0019999, 19, 10, 1.5e-5, None, "k1"
    )
    log.write("req-1", "POST", "/v1/chat/completions", outcome)
    log.flush()
    (line,) = sink.getvalue().splitlines()
    record = orjson.loads(line)
    assert set(record) == {
        "ts",
        "level",
        "event",
        "request_id",
        "method",
        "path",
        "status",
        "model",
        "deployment",
        "duration_ms",
        "overhead_ms",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "key",
        "ttft_ms",
    }
    assert record["duration_ms"] == 12.346 and record["overhead_ms"] == 0.444
    assert record["ttft_ms"] == 2.0 and record["status"] == 200 and record["cost"] == 1.5e-5
    assert abs(record["ts"] - time.time()) < 60 and round(record["ts"], 3) == record["ts"]
