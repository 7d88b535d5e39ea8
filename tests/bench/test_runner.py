"""A whole quick run on the mock upstream with the built-in generator (no nginx, no wrk)."""

from __future__ import annotations

import os

from lockgate.bench import BenchOptions, judge, render_markdown, run_bench
from lockgate.bench.results import DIRECT, GATEWAY, THIN


def _children() -> set[int]:
    me = str(os.getpid())
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if stat.read().rsplit(") ", 1)[1].split()[1] == me:
                        found.add(int(entry))
            except (OSError, IndexError):
                continue
    return found


def test_a_quick_run_measures_every_target_and_cleans_up() -> None:
    before = _children()
    progress: list[str] = []
    options = BenchOptions(
        quick=True, duration_s=0.5, connections=4, load_generator="builtin", upstream="mock"
    )
    result = run_bench(options, progress=progress.append)
    assert [t.name for t in result.targets] == [DIRECT, THIN, GATEWAY]
    for name in (DIRECT, THIN, GATEWAY):
        target = result.target(name)
        assert target is not None and target.error is None, target
        assert target.many_connections is not None and target.many_connections.requests > 0
        assert target.one_connection is not None and target.one_connection.p50_ms > 0
        assert target.rss_idle is not None and target.rss_idle.total_mb > 5
    assert {(s.target, s.case) for s in result.streams} == {
        (name, case) for name in (DIRECT, GATEWAY) for case in ("unpaced", "paced")
    }
    assert all(s.errors == 0 for s in result.streams), result.streams
    assert "built-in mock" in result.settings["upstream"]
    assert any("nginx was not found" in note for note in result.notes)
    text = render_markdown(result)
    assert "| thin vs direct |" in text
    assert len(judge(result)) == 5
    assert "| lockgate vs thin |" in text
    assert any(line.startswith("starting lockgate gateway") for line in progress)
    assert _children() <= before  # every server the run started is gone
