"""A made-up run for the report and goal tests: figures chosen to pass or fail on purpose."""

from __future__ import annotations

import dataclasses

from lockgate.bench.processes import RssSample
from lockgate.bench.results import (
    DIRECT,
    GATEWAY,
    THIN,
    BenchResult,
    HoldResult,
    LoadResult,
    StreamResult,
    TargetResult,
)


def load(connections: int, rps: float, p50: float, p99: float, errors: int = 0) -> LoadResult:
    return LoadResult("wrk", connections, 10.0, int(rps * 10), errors, rps, p50, p99)


def target(
    name: str,
    rps: float,
    p50_1: float,
    p99_1: float,
    idle_mb: float = 50.0,
    errors: int = 0,
) -> TargetResult:
    return TargetResult(
        name=name,
        description=f"the {name} target",
        one_connection=load(1, 1000.0, p50_1, p99_1),
        many_connections=load(50, rps, 10.0, 30.0, errors),
        rss_idle=RssSample(idle_mb, idle_mb, 1),
        rss_after=RssSample(idle_mb + 5, idle_mb + 5, 1),
    )


def passing_run() -> BenchResult:
    return BenchResult(
        machine={"cores (nproc)": "2", "CPU": "Test CPU"},
        settings={"upstream": "nginx", "connections": "50"},
        targets=[
            target(DIRECT, 40000.0, 0.10, 0.30, idle_mb=12.0),
            target(THIN, 4000.0, 0.30, 0.90, idle_mb=40.0),
            target(GATEWAY, 3600.0, 0.45, 1.50, idle_mb=60.0),
        ],
        streams=[
            StreamResult(DIRECT, "paced", 30, 0, 22.0, 6.0, 7.0, 5.0, 5.5),
            StreamResult(GATEWAY, "paced", 30, 0, 22.0, 6.5, 8.0, 5.0, 5.9),
        ],
        holds=[
            HoldResult(
                streams=1000,
                completed=1000,
                errors=0,
                hold_s=10.0,
                rss_before=RssSample(60.0, 60.0, 1),
                rss_peak=RssSample(180.0, 180.0, 1),
                rss_after=RssSample(70.0, 70.0, 1),
                rss_later=RssSample(65.0, 65.0, 1),
                settle_s=3.0,
                later_s=20.0,
            ),
            HoldResult(
                streams=1000,
                completed=1000,
                errors=0,
                hold_s=10.0,
                rss_before=RssSample(65.0, 65.0, 1),
                rss_peak=RssSample(182.0, 182.0, 1),
                rss_after=RssSample(70.0, 70.0, 1),
                rss_later=RssSample(66.0, 66.0, 1),
                settle_s=3.0,
                later_s=20.0,
            ),
        ],
    )


def with_gateway(run: BenchResult, gateway: TargetResult) -> BenchResult:
    targets = [gateway if t.name == GATEWAY else t for t in run.targets]
    return dataclasses.replace(run, targets=targets)
