"""The issue's performance goals, judged on made-up runs."""

from __future__ import annotations

import dataclasses

from lockgate.bench.goals import GoalLimits, judge
from lockgate.bench.processes import RssSample
from lockgate.bench.results import GATEWAY, THIN, HoldResult, TargetResult
from tests.bench.sample_results import passing_run, target, with_gateway


def verdicts(run_goals: list) -> dict[str, bool | None]:  # type: ignore[type-arg]
    return {goal.name: goal.passed for goal in run_goals}


def test_a_run_meeting_every_goal_passes_them_all() -> None:
    goals = judge(passing_run())
    assert [g.verdict for g in goals] == ["PASS"] * 8
    names = [g.name for g in goals]
    assert names[:5] == [
        "requests/s at 50 connections",
        "requests/s vs thin pass-through",
        "added p50 latency at 1 connection",
        "added p99 latency at 1 connection",
        "idle RSS per worker",
    ]
    assert goals[2].measured == "0.350 ms"  # 0.45 - 0.10
    assert goals[1].measured == "0.90x"


def test_each_goal_fails_on_its_own() -> None:
    run = passing_run()
    slow = with_gateway(run, target(GATEWAY, 2900.0, 0.45, 1.5, idle_mb=60.0))
    assert verdicts(judge(slow))["requests/s at 50 connections"] is False
    fast_thin = [target(THIN, 4400.0, 0.3, 0.9) if t.name == THIN else t for t in run.targets]
    below_thin = with_gateway(
        dataclasses.replace(run, targets=fast_thin), target(GATEWAY, 3100.0, 0.45, 1.5)
    )
    assert verdicts(judge(below_thin))["requests/s vs thin pass-through"] is False  # 0.70x
    assert verdicts(judge(below_thin))["requests/s at 50 connections"] is True
    latency = with_gateway(run, target(GATEWAY, 3600.0, 0.61, 2.31))
    result = verdicts(judge(latency))
    assert result["added p50 latency at 1 connection"] is False
    assert result["added p99 latency at 1 connection"] is False
    fat = with_gateway(run, target(GATEWAY, 3600.0, 0.45, 1.5, idle_mb=101.0))
    assert verdicts(judge(fat))["idle RSS per worker"] is False


def test_errors_under_load_fail_the_throughput_goal() -> None:
    run = with_gateway(passing_run(), target(GATEWAY, 3600.0, 0.45, 1.5, errors=3))
    goal = judge(run)[0]
    assert goal.passed is False
    assert "3 errors" in goal.measured


def test_idle_rss_is_judged_per_worker() -> None:
    gateway = dataclasses.replace(
        target(GATEWAY, 3600.0, 0.45, 1.5), rss_idle=RssSample(250.0, 90.0, 3)
    )
    assert verdicts(judge(with_gateway(passing_run(), gateway)))["idle RSS per worker"] is True


def test_stream_memory_goals() -> None:
    run = passing_run()
    first, second = run.holds

    def judged(*holds: HoldResult) -> dict[str, bool | None]:
        return verdicts(judge(dataclasses.replace(run, holds=list(holds))))

    assert judged(first, second)["leak check: RSS growth from round 1 to round 2"] is True
    kept = dataclasses.replace(first, rss_later=RssSample(71.0, 71.0, 1))
    assert judged(kept, second)["RSS 20 s after the streams end"] is False
    leaking = dataclasses.replace(second, rss_later=RssSample(76.0, 76.0, 1))
    assert judged(first, leaking)["leak check: RSS growth from round 1 to round 2"] is False
    big = dataclasses.replace(second, rss_peak=RssSample(301.0, 301.0, 1))
    assert judged(first, big)["RSS with 1000 streams open"] is False
    dropped = dataclasses.replace(second, completed=999, errors=1)
    assert judged(first, dropped)["RSS with 1000 streams open"] is False
    one_round = judged(first)
    assert one_round["RSS with 1000 streams open"] is True
    assert "leak check: RSS growth from round 1 to round 2" not in one_round


def test_missing_figures_are_not_measured_never_passed() -> None:
    run = passing_run()
    failed = TargetResult(GATEWAY, "the gateway", error="did not start")
    goals = judge(dataclasses.replace(with_gateway(run, failed), holds=[]))
    assert [g.passed for g in goals] == [None] * 5
    assert all(g.verdict == "not measured" for g in goals)
    no_thin = dataclasses.replace(run, targets=[t for t in run.targets if t.name != THIN])
    assert verdicts(judge(no_thin))["requests/s vs thin pass-through"] is None


def test_limits_can_be_changed() -> None:
    strict = GoalLimits(min_requests_per_s=5000.0)
    assert verdicts(judge(passing_run(), strict))["requests/s at 50 connections"] is False
