"""The Markdown table and the JSON form of a run."""

from __future__ import annotations

import dataclasses

import orjson

from lockgate.bench.report import markdown_table, render_json, render_markdown
from lockgate.bench.results import GATEWAY, TargetResult
from tests.bench.sample_results import passing_run, with_gateway


def _row(text: str, first_cell: str) -> list[str]:
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in:\n{text}")


def test_markdown_table_layout() -> None:
    table = markdown_table(["a", "b"], [["x", "1"], ["y", "2"]])
    assert table.splitlines() == ["| a | b |", "| :--- | ---: |", "| x | 1 |", "| y | 2 |"]


def test_report_has_each_target_ratios_goals_and_streams() -> None:
    text = render_markdown(passing_run())
    assert text.startswith("## lockgate bench\n")
    assert "- CPU: Test CPU" in text
    assert _row(text, "direct")[1:4] == ["40,000", "0.10", "0.30"]
    assert _row(text, "lockgate")[1:4] == ["3,600", "0.45", "1.50"]
    assert _row(text, "lockgate vs thin")[1:] == ["0.90x", "+0.150 ms", "+0.600 ms"]
    assert _row(text, "lockgate vs direct")[1:] == ["0.09x", "+0.350 ms", "+1.200 ms"]
    assert _row(text, "thin vs direct")[1] == "0.10x"
    assert _row(text, "idle RSS per worker") == [
        "idle RSS per worker",
        "60.0 MB",
        "<= 100 MB",
        "**PASS**",
    ]
    assert _row(text, "paced: lockgate - direct")[4:] == [
        "+0.500 ms",
        "+1.000 ms",
        "+0.000 ms",
        "+0.400 ms",
    ]
    assert _row(text, "1")[1:] == ["1000", "1000", "10.0", "60.0", "180.0", "70.0", "65.0"]
    assert _row(text, "2")[1:] == ["1000", "1000", "10.0", "65.0", "182.0", "70.0", "66.0"]
    assert "| 3 s after end | 20 s after end |" in text


def test_a_target_that_failed_shows_why_and_its_goals_are_not_measured() -> None:
    failed = TargetResult(GATEWAY, "the gateway", error="lockgate gateway exited (code 1)")
    run = dataclasses.replace(with_gateway(passing_run(), failed), notes=["gateway: boom"])
    text = render_markdown(run)
    assert _row(text, "lockgate")[1] == "not measured: lockgate gateway exited (code 1)"
    assert "lockgate vs thin" not in text
    assert "**not measured**" in text
    assert text.rstrip().endswith("- gateway: boom")


def test_json_has_every_figure_and_the_goals() -> None:
    data = orjson.loads(orjson.dumps(render_json(passing_run())))
    assert [t["name"] for t in data["targets"]] == ["direct", "thin", "lockgate"]
    assert data["targets"][2]["many_connections"]["requests_per_s"] == 3600.0
    assert data["holds"][0]["rss_peak"]["total_mb"] == 180.0
    assert {g["verdict"] for g in data["goals"]} == {"PASS"}
