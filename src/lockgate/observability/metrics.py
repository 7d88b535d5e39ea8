"""Prometheus metrics of the gateway, in a registry owned by the app (no global registry)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from lockgate.observability.plain_metrics import (
    CounterCell,
    CounterFamily,
    GaugeValue,
    HistogramCell,
    HistogramFamily,
    export_all,
)

__all__ = ["CONTENT_TYPE_LATEST", "GatewayMetrics", "RequestOutcome"]

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
_OVERHEAD_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5)


@dataclass(slots=True)
class RequestOutcome:
    """What one request did, as the metrics and the access log see it."""

    route: str
    model: str
    deployment: str
    status: int
    total_seconds: float
    overhead_seconds: float
    ttft_seconds: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None
    error_class: str | None = None
    key_id: str = ""
    team_id: str = ""


_MAX_CACHED_SERIES = 10_000


@dataclass(frozen=True, slots=True)
class _Children:
    requests: CounterCell
    latency: HistogramCell
    overhead: HistogramCell
    tokens_in: CounterCell
    tokens_out: CounterCell
    cost: CounterCell


class GatewayMetrics:
    """The gateway's metrics, updated once per request by :meth:`record` (see
    :mod:`lockgate.observability.plain_metrics` for why they are not prometheus_client's own
    metric objects) and rendered by :meth:`render`."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self._children: dict[tuple[str, str, str, int, str, str], _Children] = {}
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.requests = CounterFamily(
            "lockgate_requests",
            "Requests answered, by route, model group, deployment and HTTP status.",
            ("route", "model", "deployment", "status", "key", "team"),
        )
        self.latency = HistogramFamily(
            "lockgate_request_duration_seconds",
            "Time from request received to response complete.",
            ("route", "model"),
            _LATENCY_BUCKETS,
        )
        self.overhead = HistogramFamily(
            "lockgate_overhead_duration_seconds",
            "Gateway time: total time minus the time spent waiting on the provider.",
            ("route",),
            _OVERHEAD_BUCKETS,
        )
        self.ttft = HistogramFamily(
            "lockgate_time_to_first_token_seconds",
            "Streams: time from request received to the first chunk sent.",
            ("model",),
            _LATENCY_BUCKETS,
        )
        self.tokens = CounterFamily(
            "lockgate_tokens",
            "Tokens, by direction (input, output).",
            ("model", "deployment", "direction"),
        )
        self.cost = CounterFamily(
            "lockgate_cost_usd",
            "Provider cost in US dollars from the packaged price table.",
            ("model", "deployment", "key", "team"),
        )
        self.errors = CounterFamily(
            "lockgate_errors",
            "Failed requests, by error class.",
            ("route", "model", "error_class"),
        )
        self.in_flight = GaugeValue("lockgate_in_flight_requests", "Requests being processed.")
        self.registry.register(
            _Collector(
                (
                    self.requests,
                    self.latency,
                    self.overhead,
                    self.ttft,
                    self.tokens,
                    self.cost,
                    self.errors,
                    self.in_flight,
                )
            )
        )

    def record(self, o: RequestOutcome) -> None:
        key = (o.route, o.model, o.deployment, o.status, o.key_id, o.team_id)
        children = self._children.get(key)
        if children is None:
            children = self._children_for(o, key)
        children.requests.value += 1.0
        children.latency.observe(o.total_seconds)
        overhead = o.overhead_seconds
        children.overhead.observe(overhead if overhead > 0.0 else 0.0)
        if o.ttft_seconds is not None:
            self.ttft.labels(o.model).observe(o.ttft_seconds)
        # Token counts are added directly when positive (inc() checks the sign: it refuses a
        # negative count, which it is still given).
        tokens = o.prompt_tokens
        if tokens > 0:
            children.tokens_in.value += tokens
        elif tokens:
            children.tokens_in.inc(tokens)
        tokens = o.completion_tokens
        if tokens > 0:
            children.tokens_out.value += tokens
        elif tokens:
            children.tokens_out.inc(tokens)
        if o.cost:
            children.cost.inc(o.cost)
        if o.error_class is not None:
            self.errors.labels(o.route, o.model, o.error_class).value += 1.0

    def _children_for(
        self, o: RequestOutcome, key: tuple[str, str, str, int, str, str]
    ) -> _Children:
        """The series of one label combination, looked up once and then reused."""
        if len(self._children) >= _MAX_CACHED_SERIES:
            self._children.clear()  # bounded: many keys simply cost a lookup again
        children = self._children[key] = _Children(
            requests=self.requests.labels(
                o.route, o.model, o.deployment, str(o.status), o.key_id, o.team_id
            ),
            latency=self.latency.labels(o.route, o.model),
            overhead=self.overhead.labels(o.route),
            tokens_in=self.tokens.labels(o.model, o.deployment, "input"),
            tokens_out=self.tokens.labels(o.model, o.deployment, "output"),
            cost=self.cost.labels(o.model, o.deployment, o.key_id, o.team_id),
        )
        return children

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _Collector(Collector):
    def __init__(self, families: tuple[CounterFamily | HistogramFamily | GaugeValue, ...]) -> None:
        self._families = families

    def collect(self) -> Iterator[Metric]:
        return export_all(self._families)
