"""The targets the gateway must reach, judged on a run: issue 3 ("Performance this must
reach": master-key auth) and, in a run with `--keys` or `--instances`, issue 6 (100,000 keys
with rpm + budget limits on the calling key; two instances sharing PostgreSQL and Redis).

A goal whose figures are missing (the gateway did not start, a phase was not run) is
reported as not measured, never as passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lockgate.bench.results import (
    DIRECT,
    GATEWAY,
    THIN,
    BenchResult,
    HoldResult,
    KeySetup,
    TargetResult,
)

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
    # Issue 6: with 100,000 keys, rpm + budget limits on the calling key.
    min_keys_requests_per_s: float = 2500.0  # one instance on SQLite
    min_instance_requests_per_s: float = 1500.0  # each of two sharing PostgreSQL and Redis
    # Issue 3's start-up goal, here with the keys in the store.
    max_startup_s: float = 2.0


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


def _rps_goal(name: str, target: TargetResult | None, minimum: float) -> Goal:
    limit = f">= {minimum:,.0f}"
    many = target.many_connections if target is not None else None
    if many is None:
        return _unmeasured(name, limit)
    return Goal(
        name,
        f"{many.requests_per_s:,.0f}" + (f" ({many.errors} errors)" if many.errors else ""),
        limit + ", no errors",
        many.requests_per_s >= minimum and many.errors == 0,
    )


def _startup(target: TargetResult | None, name: str, setup: KeySetup, lim: GoalLimits) -> Goal:
    goal = f"{name}start-up with {setup.keys:,} keys (process start to ready)"
    limit = f"<= {lim.max_startup_s:g} s"
    if target is None or target.startup_s is None:
        return _unmeasured(goal, limit)
    return Goal(goal, f"{target.startup_s:.2f} s", limit, target.startup_s <= lim.max_startup_s)


def _connections(result: BenchResult) -> int:
    return next((t.many_connections.connections for t in result.targets if t.many_connections), 50)


def _keys_text(setup: KeySetup) -> str:
    return f"{setup.keys:,} keys, rpm + budget on the calling key" if setup.keys else "master key"


def _instances(result: BenchResult, setup: KeySetup, lim: GoalLimits) -> list[Goal]:
    """Issue 6: each of several instances sharing the store and Redis, loaded at once."""
    shared = f"{setup.store} + {setup.limits_backend}"
    goals = []
    for number in range(1, setup.instances + 1):
        name = f"{GATEWAY}-{number}"
        target = result.target(name)
        goals.append(
            _rps_goal(
                f"{name}: requests/s at {_connections(result)} connections, "
                f"{setup.instances} instances at once on {shared}, {_keys_text(setup)}",
                target,
                lim.min_instance_requests_per_s,
            )
        )
        if setup.keys:
            goals.append(_startup(target, f"{name}: ", setup, lim))
    return goals


def judge(result: BenchResult, limits: GoalLimits | None = None) -> list[Goal]:
    """Every goal of the issues, judged on the gateway's figures in `result`."""
    lim = limits or GoalLimits()
    setup = result.key_setup
    if setup is not None and setup.instances > 1:
        return _instances(result, setup, lim)
    gw = result.target(GATEWAY)
    throughput = _throughput(gw, result.target(THIN), lim)
    startup: list[Goal] = []
    if setup is not None and setup.keys:
        # The issue 6 figure replaces issue 3's master-key one: the load calls with a key.
        throughput[0] = _rps_goal(
            f"requests/s at {_connections(result)} connections, {_keys_text(setup)} "
            f"({setup.store})",
            gw,
            lim.min_keys_requests_per_s,
        )
        startup.append(_startup(gw, "", setup, lim))
    return [
        *throughput,
        *_latency(gw, result.target(DIRECT), lim),
        _idle_rss(gw, lim),
        *startup,
        *_streams(result.holds, lim),
    ]
