"""The settings of one benchmark run (the `lockgate bench` flags)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BenchOptions"]


@dataclass(frozen=True, slots=True)
class BenchOptions:
    duration_s: float = 10.0  # each measured load phase
    connections: int = 50
    workers: int = 1  # passed to `lockgate serve --workers` (and LiteLLM's --num_workers)
    quick: bool = False  # phases of at most 1 s, few streams: a smoke run, not a measurement
    vs_litellm: bool = False
    streams: int = 0  # > 0: hold this many concurrent streams through lockgate
    hold_s: float = 10.0  # how long each of those streams lasts
    load_generator: str = "auto"  # auto | wrk | builtin
    upstream: str = "auto"  # auto | nginx | mock
    wrk_threads: int = 1
    stream_samples: int = 30  # sequential streams per target and case
    profile_path: str | None = None  # run the gateway under cProfile, stats written here
    command: str = "lockgate bench"
    keys: int = 0  # > 0: seed this many virtual keys; the load calls with one that has limits
    instances: int = 1  # gateway instances driven at the same time (> 1 needs PostgreSQL + Redis)
    database_url: str | None = None  # a PostgreSQL server: a fresh database per run on it
    redis_url: str | None = None  # Redis for limits and invalidation, under a run's own prefix

    @property
    def custom_store(self) -> bool:
        """Whether the gateway's store is set up by the benchmark (else its plain default)."""
        return self.keys > 0 or self.instances > 1 or bool(self.database_url or self.redis_url)

    @property
    def phase_s(self) -> float:
        return min(1.0, self.duration_s) if self.quick else self.duration_s

    @property
    def warmup_s(self) -> float:
        return self.phase_s if self.quick else min(3.0, max(1.0, self.duration_s / 5))

    @property
    def samples(self) -> int:
        return 3 if self.quick else self.stream_samples

    @property
    def hold_seconds(self) -> float:
        return min(self.hold_s, 2.0) if self.quick else self.hold_s
