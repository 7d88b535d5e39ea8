"""What the benchmark ran on: cores, CPU model, memory, kernel, Python, and how fast one core
runs Python (machines of the same name differ from day to day: this makes runs comparable)."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

__all__ = ["cpu_busy_fraction", "describe_machine", "python_speed_ms"]


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies over all CPUs since boot, from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    values = [int(v) for v in first[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user time
    return total - idle, total


def cpu_busy_fraction(interval_s: float = 1.0) -> float | None:
    """How busy the whole machine was over `interval_s` (0.0-1.0), before the run starts."""
    before = _cpu_times()
    time.sleep(interval_s)
    after = _cpu_times()
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def python_speed_ms(rounds: int = 5) -> float:
    """The fastest of `rounds` runs of ``sum(range(1_000_000))`` in milliseconds: a fixed
    piece of interpreter work, so a figure twice as high means a core half as fast."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        sum(range(1_000_000))
        best = min(best, time.perf_counter() - started)
    return best * 1000.0


def describe_machine() -> dict[str, str]:
    return {
        "cores (nproc)": str(len(os.sched_getaffinity(0))),
        "CPU": _cpu_model(),
        "memory": _memory(),
        "kernel": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Python speed": (
            f"sum(range(10**6)) in {python_speed_ms():.1f} ms (best of 5; lower is faster)"
        ),
    }
