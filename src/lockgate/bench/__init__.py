"""`lockgate bench`: the gateway, the thinnest pass-through and the upstream, side by side.

One run starts an upstream that is not the bottleneck (nginx returning canned bytes, or the
built-in mock), measures it directly, through a thin aiohttp pass-through and through
`lockgate serve` (and LiteLLM with `--vs litellm`), with wrk or a built-in load generator,
and prints a Markdown table with the ratios and the issue's performance goals judged.
See docs/benchmarks.md.
"""

from lockgate.bench.goals import Goal, GoalLimits, judge
from lockgate.bench.options import BenchOptions
from lockgate.bench.report import render_json, render_markdown
from lockgate.bench.results import BenchResult
from lockgate.bench.runner import run_bench

__all__ = [
    "BenchOptions",
    "BenchResult",
    "Goal",
    "GoalLimits",
    "judge",
    "render_json",
    "render_markdown",
    "run_bench",
]
