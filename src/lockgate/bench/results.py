"""What a benchmark measured, as plain frozen records (rendered by `report`, judged by `goals`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lockgate.bench.processes import RssSample

__all__ = [
    "DIRECT",
    "GATEWAY",
    "LITELLM",
    "THIN",
    "BenchResult",
    "HoldResult",
    "KeySetup",
    "LoadResult",
    "StreamResult",
    "TargetResult",
]

# The names of the targets, as rows of the table and keys of the JSON output.
DIRECT = "direct"
THIN = "thin"
GATEWAY = "lockgate"
LITELLM = "litellm"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """One fixed-duration load run against one URL."""

    tool: str  # "wrk" or "builtin"
    connections: int
    duration_s: float
    requests: int
    errors: int  # non-2xx answers, connect/read/write errors and timeouts
    requests_per_s: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True, slots=True)
class TargetResult:
    """Everything measured for one server (direct upstream, thin pass-through, lockgate, ...)."""

    name: str
    description: str
    one_connection: LoadResult | None = None
    many_connections: LoadResult | None = None
    rss_idle: RssSample | None = None
    rss_after: RssSample | None = None
    error: str | None = None  # why this target has no figures
    startup_s: float | None = None  # process start -> ready (the gateway's)


@dataclass(frozen=True, slots=True)
class StreamResult:
    """Sequential streams through one target: time to first token and gaps between chunks."""

    target: str
    case: str  # "unpaced" (canned SSE) or "paced" (mock at a fixed token rate)
    streams: int
    errors: int
    chunks_per_stream: float
    ttft_p50_ms: float
    ttft_p99_ms: float
    gap_p50_ms: float
    gap_p99_ms: float
    first_error: str | None = None  # what went wrong with the first failed stream


@dataclass(frozen=True, slots=True)
class HoldResult:
    """One round of many concurrent streams held open through the gateway, and its memory."""

    streams: int
    completed: int
    errors: int
    hold_s: float
    rss_before: RssSample
    rss_peak: RssSample
    rss_after: RssSample  # `settle_s` after the streams ended
    rss_later: RssSample  # `later_s` after the streams ended
    settle_s: float
    later_s: float
    first_error: str | None = None


@dataclass(frozen=True, slots=True)
class KeySetup:
    """The gateway's store in a run with `--keys`, `--database-url` or `--instances`."""

    store: str  # "SQLite" or "PostgreSQL"
    limits_backend: str  # "Redis" or "in-memory"
    instances: int
    keys: int  # 0: the load generator calls with the master key
    rpm_limit: int | None = None  # the calling key's
    max_budget: float | None = None
    seed_s: float | None = None  # how long seeding the keys took


@dataclass(frozen=True, slots=True)
class BenchResult:
    """One whole run: the setting it ran in and every figure."""

    machine: dict[str, str]
    settings: dict[str, str]
    targets: list[TargetResult] = field(default_factory=list)
    streams: list[StreamResult] = field(default_factory=list)
    holds: list[HoldResult] = field(default_factory=list)  # rounds of --streams N
    notes: list[str] = field(default_factory=list)
    key_setup: KeySetup | None = None

    def target(self, name: str) -> TargetResult | None:
        return next((t for t in self.targets if t.name == name), None)
