"""Prometheus metrics of the gateway, in a registry owned by the app (no global registry)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

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
    requests: Counter
    latency: Histogram
    overhead: Histogram
    tokens_in: Counter
    tokens_out: Counter
    cost: Counter


class GatewayMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self._children: dict[tuple[str, str, str, int, str, str], _Children] = {}
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "lockgate_requests",
            "Requests answered, by route, model group, deployment and HTTP status.",
            ("route", "model", "deployment", "status", "key", "team"),
            registry=r,
        )
        self.latency = Histogram(
            "lockgate_request_duration_seconds",
            "Time from request received to response complete.",
            ("route", "model"),
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.overhead = Histogram(
            "lockgate_overhead_duration_seconds",
            "Gateway time: total time minus the time spent waiting on the provider.",
            ("route",),
            buckets=_OVERHEAD_BUCKETS,
            registry=r,
        )
        self.ttft = Histogram(
            "lockgate_time_to_first_token_seconds",
            "Streams: time from request received to the first chunk sent.",
            ("model",),
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.tokens = Counter(
            "lockgate_tokens",
            "Tokens, by direction (input, output).",
            ("model", "deployment", "direction"),
            registry=r,
        )
        self.cost = Counter(
            "lockgate_cost_usd",
            "Provider cost in US dollars from the packaged price table.",
            ("model", "deployment", "key", "team"),
            registry=r,
        )
        self.errors = Counter(
            "lockgate_errors",
            "Failed requests, by error class.",
            ("route", "model", "error_class"),
            registry=r,
        )
        self.in_flight = Gauge(
            "lockgate_in_flight_requests", "Requests being processed.", registry=r
        )

    def record(self, o: RequestOutcome) -> None:
        children = self._children_for(o)
        children.requests.inc()
        children.latency.observe(o.total_seconds)
        children.overhead.observe(max(0.0, o.overhead_seconds))
        if o.ttft_seconds is not None:
            self.ttft.labels(o.model).observe(o.ttft_seconds)
        if o.prompt_tokens:
            children.tokens_in.inc(o.prompt_tokens)
        if o.completion_tokens:
            children.tokens_out.inc(o.completion_tokens)
        if o.cost:
            children.cost.inc(o.cost)
        if o.error_class is not None:
            self.errors.labels(o.route, o.model, o.error_class).inc()

    def _children_for(self, o: RequestOutcome) -> _Children:
        """The labelled series of one label combination, looked up once and then reused:
        ``labels()`` validates and locks on every call, which the hot path need not pay."""
        key = (o.route, o.model, o.deployment, o.status, o.key_id, o.team_id)
        children = self._children.get(key)
        if children is None:
            if len(self._children) >= _MAX_CACHED_SERIES:
                self._children.clear()  # bounded: many keys simply cost a lookup again
            children = _Children(
                requests=self.requests.labels(
                    o.route, o.model, o.deployment, str(o.status), o.key_id, o.team_id
                ),
                latency=self.latency.labels(o.route, o.model),
                overhead=self.overhead.labels(o.route),
                tokens_in=self.tokens.labels(o.model, o.deployment, "input"),
                tokens_out=self.tokens.labels(o.model, o.deployment, "output"),
                cost=self.cost.labels(o.model, o.deployment, o.key_id, o.team_id),
            )
            self._children[key] = children
        return children

    def render(self) -> bytes:
        return generate_latest(self.registry)
