"""Render a run as Markdown (stdout, docs/benchmarks.md) and as JSON (`--json FILE`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from lockgate.bench.goals import Goal, judge
from lockgate.bench.processes import RssSample
from lockgate.bench.results import DIRECT, GATEWAY, BenchResult, StreamResult, TargetResult

__all__ = ["markdown_table", "render_json", "render_markdown"]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table; the first column is left-aligned, others right."""
    align = [":---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _signed_ms(value: float) -> str:
    return f"{value:+.3f} ms"


def _rss(sample: RssSample | None) -> str:
    if sample is None:
        return "-"
    if sample.processes > 1:
        return f"{sample.total_mb:.1f} ({sample.processes} proc, max {sample.largest_mb:.1f})"
    return f"{sample.total_mb:.1f}"


def _target_row(t: TargetResult) -> list[str]:
    one, many = t.one_connection, t.many_connections
    if t.error is not None and one is None and many is None:
        return [t.name, f"not measured: {t.error}", "-", "-", "-", "-", "-", "-", "-"]
    errors = sum(r.errors for r in (one, many) if r is not None)
    return [
        t.name,
        "-" if many is None else f"{many.requests_per_s:,.0f}",
        _ms(one.p50_ms if one else None),
        _ms(one.p99_ms if one else None),
        _ms(many.p50_ms if many else None),
        _ms(many.p99_ms if many else None),
        _rss(t.rss_idle),
        _rss(t.rss_after),
        str(errors),
    ]


def _targets_section(result: BenchResult) -> str:
    connections = next(
        (t.many_connections.connections for t in result.targets if t.many_connections), 50
    )
    header = [
        "target",
        f"req/s @{connections}",
        "p50 @1 (ms)",
        "p99 @1 (ms)",
        f"p50 @{connections} (ms)",
        f"p99 @{connections} (ms)",
        "RSS idle (MB)",
        "RSS after load (MB)",
        "errors",
    ]
    table = markdown_table(header, [_target_row(t) for t in result.targets])
    described = "\n".join(f"- **{t.name}**: {t.description}" for t in result.targets)
    return f"{table}\n\n{described}"


def _comparison(a: TargetResult | None, b: TargetResult | None) -> list[str] | None:
    if a is None or b is None or a.many_connections is None or b.many_connections is None:
        return None
    if b.many_connections.requests_per_s <= 0:
        return None
    ratio = a.many_connections.requests_per_s / b.many_connections.requests_per_s
    row = [f"{a.name} vs {b.name}", f"{ratio:.2f}x", "-", "-"]
    if a.one_connection is not None and b.one_connection is not None:
        row[2] = _signed_ms(a.one_connection.p50_ms - b.one_connection.p50_ms)
        row[3] = _signed_ms(a.one_connection.p99_ms - b.one_connection.p99_ms)
    return row


def _ratios_section(result: BenchResult) -> str:
    direct = result.target(DIRECT)
    pairs: list[tuple[TargetResult | None, TargetResult | None]]
    pairs = [(t, direct) for t in result.targets if t.name != DIRECT]
    gateway = result.target(GATEWAY)
    pairs.extend((gateway, t) for t in result.targets if t.name not in (DIRECT, GATEWAY))
    rows = [row for a, b in pairs if (row := _comparison(a, b)) is not None]
    if not rows:
        return "_no ratios: a target is missing_"
    header = ["comparison", "req/s ratio", "added p50 @1", "added p99 @1"]
    return markdown_table(header, rows)


def _goals_section(goals: Sequence[Goal]) -> str:
    rows = [[g.name, g.measured, g.limit, f"**{g.verdict}**"] for g in goals]
    return markdown_table(["goal (lockgate)", "measured", "limit", "result"], rows)


def _stream_row(s: StreamResult) -> list[str]:
    if s.errors >= s.streams:
        return [f"{s.case}: {s.target}", str(s.streams), str(s.errors), "-", "-", "-", "-", "-"]
    return [
        f"{s.case}: {s.target}",
        str(s.streams),
        str(s.errors),
        f"{s.chunks_per_stream:.1f}",
        _ms(s.ttft_p50_ms),
        _ms(s.ttft_p99_ms),
        _ms(s.gap_p50_ms),
        _ms(s.gap_p99_ms),
    ]


def _stream_rows(streams: Sequence[StreamResult]) -> list[list[str]]:
    rows = [_stream_row(s) for s in streams]
    base = {s.case: s for s in streams if s.target == DIRECT}
    for s in streams:
        d = base.get(s.case)
        if s.target == DIRECT or d is None or s.errors >= s.streams or d.errors >= d.streams:
            continue
        rows.append(
            [
                f"{s.case}: {s.target} - direct",
                "",
                "",
                "",
                _signed_ms(s.ttft_p50_ms - d.ttft_p50_ms),
                _signed_ms(s.ttft_p99_ms - d.ttft_p99_ms),
                _signed_ms(s.gap_p50_ms - d.gap_p50_ms),
                _signed_ms(s.gap_p99_ms - d.gap_p99_ms),
            ]
        )
    return rows


def _streaming_section(result: BenchResult) -> str:
    parts: list[str] = []
    if result.streams:
        header = [
            "stream (case: target)",
            "streams",
            "errors",
            "chunks/stream",
            "TTFT p50 (ms)",
            "TTFT p99 (ms)",
            "gap p50 (ms)",
            "gap p99 (ms)",
        ]
        parts.append(markdown_table(header, _stream_rows(result.streams)))
    if result.holds:
        first = result.holds[0]
        header = ["round", "concurrent streams", "completed", "held (s)", "RSS before (MB)"]
        header += ["RSS peak", f"{first.settle_s:g} s after end", f"{first.later_s:g} s after end"]
        rows = [
            [
                str(number),
                str(hold.streams),
                str(hold.completed),
                f"{hold.hold_s:.1f}",
                _rss(hold.rss_before),
                _rss(hold.rss_peak),
                _rss(hold.rss_after),
                _rss(hold.rss_later),
            ]
            for number, hold in enumerate(result.holds, start=1)
        ]
        parts.append(markdown_table(header, rows))
    return "\n\n".join(parts)


def _startup_section(result: BenchResult) -> str:
    """Each gateway's start-up, with the store it loaded (runs with a store of their own)."""
    setup = result.key_setup
    if setup is None:
        return ""
    held = f"{setup.keys:,} keys" if setup.keys else "no keys"
    lines = [
        f"- {t.name}: ready {t.startup_s:.2f} s after its process started ({held} in {setup.store})"
        for t in result.targets
        if t.name.startswith(GATEWAY) and t.startup_s is not None
    ]
    return "\n".join(lines) or "_no gateway became ready_"


def render_markdown(result: BenchResult) -> str:
    settings = {**result.machine, **result.settings}
    lines = ["## lockgate bench", ""]
    lines.extend(f"- {key}: {value}" for key, value in settings.items())
    sections = [
        "\n".join(lines),
        "### Non-streaming chat completions\n\n" + _targets_section(result),
        "### Ratios\n\n" + _ratios_section(result),
        "### Goals\n\n" + _goals_section(judge(result)),
    ]
    startup = _startup_section(result)
    if startup:
        sections.append("### Gateway start-up\n\n" + startup)
    streaming = _streaming_section(result)
    if streaming:
        sections.append("### Streaming\n\n" + streaming)
    if result.notes:
        sections.append("### Notes\n\n" + "\n".join(f"- {note}" for note in result.notes))
    return "\n\n".join(sections) + "\n"


def render_json(result: BenchResult) -> dict[str, Any]:
    data = dataclasses.asdict(result)
    data["goals"] = [
        {**dataclasses.asdict(goal), "verdict": goal.verdict} for goal in judge(result)
    ]
    return data
