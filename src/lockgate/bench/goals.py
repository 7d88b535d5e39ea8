"""The targets the gateway must reach (issue 3, "Performance this must reach"), judged on a run.

A goal whose figures are missing (the gateway did not start, a phase was not run) is
reported as not measured, never as passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lockgate.bench.results import DIRECT, GATEWAY, THIN, BenchResult, HoldResult, TargetResult

__all__ = ["Goal", "GoalLimits", "judge"]


@dataclass(frozen=True, slots=True)
class GoalLimits:
    min_requests_per_s: float = 3000.0
    min_ratio_to_thin: float = 0.75
    max_added_p50_ms: float = 0.5
    max_added_p99_ms: float = 2.0
    max_idle_rss_mb: float = 100.0
    max_streams_rss_mb: float = 300.0
    # "all memory returned": RSS after the streams end within this much of RSS before them.
    max_streams_leftover_mb: float = 10.0


@dataclass(frozen=True, slots=True)
class Goal:
    name: str
    measured: str
    limit: str
    passed: bool | None  # None: not measured in this run

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "not measured"}[self.passed]


def _unmeasured(name: str, limit: str) -> Goal:
    return Goal(name, "-", limit, None)


def _throughput(gw: TargetResult | None, thin: TargetResult | None, lim: GoalLimits) -> list[Goal]:
    rps_name, rps_limit = "requests/s at 50 connections", f">= {lim.min_requests_per_s:,.0f}"
    if gw is not None and gw.many_connections is not None:
        rps_name = f"requests/s at {gw.many_connections.connections} connections"
    ratio_name, ratio_limit = "requests/s vs thin pass-through", f">= {lim.min_ratio_to_thin}x"
    many = gw.many_connections if gw else None
    if many is None:
        return [_unmeasured(rps_name, rps_limit), _unmeasured(ratio_name, ratio_limit)]
    goals = [
        Goal(
            rps_name,
            f"{many.requests_per_s:,.0f}" + (f" ({many.errors} errors)" if many.errors else ""),
            rps_limit + ", no errors",
            many.requests_per_s >= lim.min_requests_per_s and many.errors == 0,
        )
    ]
    thin_many = thin.many_connections if thin else None
    if thin_many is None or thin_many.requests_per_s <= 0:
        goals.append(_unmeasured(ratio_name, ratio_limit))
    else:
        ratio = many.requests_per_s / thin_many.requests_per_s
        goals.append(Goal(ratio_name, f"{ratio:.2f}x", ratio_limit, ratio >= lim.min_ratio_to_thin))
    return goals


def _latency(gw: TargetResult | None, direct: TargetResult | None, lim: GoalLimits) -> list[Goal]:
    p50_name, p50_limit = "added p50 latency at 1 connection", f"<= {lim.max_added_p50_ms} ms"
    p99_name, p99_limit = "added p99 latency at 1 connection", f"<= {lim.max_added_p99_ms} ms"
    one = gw.one_connection if gw else None
    base = direct.one_connection if direct else None
    if one is None or base is None:
        return [_unmeasured(p50_name, p50_limit), _unmeasured(p99_name, p99_limit)]
    added_p50 = one.p50_ms - base.p50_ms
    added_p99 = one.p99_ms - base.p99_ms
    return [
        Goal(p50_name, f"{added_p50:.3f} ms", p50_limit, added_p50 <= lim.max_added_p50_ms),
        Goal(p99_name, f"{added_p99:.3f} ms", p99_limit, added_p99 <= lim.max_added_p99_ms),
    ]


def _idle_rss(gw: TargetResult | None, lim: GoalLimits) -> Goal:
    name, limit = "idle RSS per worker", f"<= {lim.max_idle_rss_mb:.0f} MB"
    if gw is None or gw.rss_idle is None:
        return _unmeasured(name, limit)
    largest = gw.rss_idle.largest_mb
    return Goal(name, f"{largest:.1f} MB", limit, largest <= lim.max_idle_rss_mb)


def _streams(holds: Sequence[HoldResult], lim: GoalLimits) -> list[Goal]:
    """The first round judges "memory returned"; a later round tells reuse from a leak."""
    if not holds:
        return []
    first, last = holds[0], holds[-1]
    peak = max(h.rss_peak.total_mb for h in holds)
    completed = sum(h.completed for h in holds)
    opened = sum(h.streams for h in holds)
    leftover = lim.max_streams_leftover_mb
    goals = [
        Goal(
            f"RSS with {first.streams} streams open",
            f"{peak:.1f} MB ({completed}/{opened} completed)",
            f"<= {lim.max_streams_rss_mb:.0f} MB, all complete",
            peak <= lim.max_streams_rss_mb and completed == opened,
        ),
        Goal(
            f"RSS {first.later_s:g} s after the streams end",
            f"{first.rss_later.total_mb:.1f} MB (before: {first.rss_before.total_mb:.1f} MB)",
            f"<= before + {leftover:.0f} MB",
            first.rss_later.total_mb - first.rss_before.total_mb <= leftover,
        ),
    ]
    if len(holds) > 1:
        growth = last.rss_later.total_mb - first.rss_later.total_mb
        goals.append(
            Goal(
                f"leak check: RSS growth from round 1 to round {len(holds)}",
                f"{growth:+.1f} MB",
                f"<= {leftover:.0f} MB",
                growth <= leftover,
            )
        )
    return goals


def judge(result: BenchResult, limits: GoalLimits | None = None) -> list[Goal]:
    """Every goal of the issue, judged on the gateway's figures in `result`."""
    lim = limits or GoalLimits()
    gw = result.target(GATEWAY)
    return [
        *_throughput(gw, result.target(THIN), lim),
        *_latency(gw, result.target(DIRECT), lim),
        _idle_rss(gw, lim),
        *_streams(result.holds, lim),
    ]
