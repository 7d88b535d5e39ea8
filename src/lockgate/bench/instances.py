"""Several gateway instances sharing one store (PostgreSQL) and Redis, loaded at once.

Each instance is started and waited for in turn (so each start-up time is its own), checked
with one request, then every instance gets its own load generator at the same moment: a
warm-up, then one measured phase of N connections each. The requests/s of each instance
are what issue 6 judges ("two instances ... each >= 1,500 requests/s").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lockgate.bench.canned import chat_request
from lockgate.bench.checks import check_answer
from lockgate.bench.load_driver import LoadDriver
from lockgate.bench.processes import BenchProcessError, RssSample
from lockgate.bench.results import LoadResult, TargetResult
from lockgate.bench.targets import Target

__all__ = ["InstanceRun", "measure_instances"]

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class InstanceRun:
    """The settings of one multi-instance measurement."""

    connections: int
    warmup_s: float
    phase_s: float


def _load_all(
    targets: Sequence[Target], drivers: Sequence[LoadDriver], connections: int, duration_s: float
) -> list[LoadResult]:
    """One load generator per instance, all running at once (each a wrk subprocess, or the
    built-in generator on its own event loop in a thread)."""
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        futures = [
            pool.submit(
                driver.run,
                target.chat_url,
                chat_request(target.model),
                target.headers,
                connections=connections,
                duration_s=duration_s,
            )
            for target, driver in zip(targets, drivers, strict=True)
        ]
        return [future.result() for future in futures]


def measure_instances(
    targets: Sequence[Target],
    drivers: Sequence[LoadDriver],
    run: InstanceRun,
    log: Progress,
    notes: list[str],
) -> list[TargetResult]:
    """Start every instance, load them all at once, stop them all; one result each."""
    startups: list[float | None] = [None] * len(targets)
    idle: list[RssSample | None] = [None] * len(targets)
    many: list[LoadResult | None] = [None] * len(targets)
    after: list[RssSample | None] = [None] * len(targets)
    error: str | None = None
    try:
        for index, target in enumerate(targets):
            log(f"starting {target.process.name}")
            target.process.start()
            startups[index] = target.process.wait_ready(target.ready_url, target.ready_timeout_s)
            check_answer(target)
            idle[index] = target.process.rss()
        names = " and ".join(t.name for t in targets)
        log(f"{names}: {run.connections} connection(s) each for {run.warmup_s:g}s (warm-up)")
        _load_all(targets, drivers, run.connections, run.warmup_s)
        log(f"{names}: {run.connections} connection(s) each for {run.phase_s:g}s, at once")
        many = list(_load_all(targets, drivers, run.connections, run.phase_s))
        for index, target in enumerate(targets):
            target.process.check_alive()
            after[index] = target.process.rss()
    except (BenchProcessError, RuntimeError, OSError) as exc:
        log(f"instances failed: {exc}")
        notes.append(f"instances: {exc}")
        error = str(exc).splitlines()[0][:200]
    finally:
        for target in targets:
            target.process.stop()
    results = []
    for index, target in enumerate(targets):
        load = many[index]
        if load is not None and load.errors:
            notes.append(
                f"{target.name}: {load.errors} failed requests at {load.connections} "
                f"connection(s); its output ends with: {target.process.log_tail(5)!r}"
            )
        results.append(
            TargetResult(
                target.name,
                target.description,
                None,
                load,
                idle[index],
                after[index],
                error if load is None else None,
                startups[index],
            )
        )
    return results
