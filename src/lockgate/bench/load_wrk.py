"""Load from `wrk` (Debian package `wrk`): a Lua script POSTs; its `done` hook reports.

The script's `done` function prints one line of JSON (exact request count, duration, error
counts and latency percentiles in microseconds), so nothing depends on wrk's text layout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from lockgate.bench.results import LoadResult

__all__ = ["find_wrk", "parse_wrk_output", "run_wrk", "wrk_script"]

_MARKER = "LOCKGATE_WRK "

_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    "MARKER", summary.requests, summary.duration, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def find_wrk() -> str | None:
    return shutil.which("wrk")


def _lua_long_string(text: str) -> str:
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def wrk_script(body: bytes, headers: Mapping[str, str]) -> str:
    """A Lua script that sends `body` as a POST with `headers` and reports as JSON."""
    lines = ['wrk.method = "POST"', f"wrk.body = {_lua_long_string(body.decode())}"]
    for name, value in headers.items():
        # The spaces matter: `t[[=[` would open a long string instead of indexing `t`.
        lines.append(f"wrk.headers[ {_lua_long_string(name)} ] = {_lua_long_string(value)}")
    return "\n".join(lines) + _DONE.replace("MARKER", _MARKER)


def parse_wrk_output(output: str, connections: int) -> LoadResult:
    for line in output.splitlines():
        if line.startswith(_MARKER):
            data = json.loads(line[len(_MARKER) :])
            break
    else:
        raise RuntimeError(f"wrk printed no summary; its output was:\n{output[-2000:]}")
    duration_s = max(data["duration_us"] / 1e6, 1e-9)
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return LoadResult(
        tool="wrk",
        connections=connections,
        duration_s=duration_s,
        requests=int(data["requests"]),
        errors=int(errors),
        requests_per_s=data["requests"] / duration_s,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )


def run_wrk(
    binary: str,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    connections: int,
    duration_s: float,
    script_dir: Path,
    threads: int = 1,
) -> LoadResult:
    """Run wrk for `duration_s` seconds with `connections` keep-alive connections."""
    script = script_dir / "post.lua"
    script.write_text(wrk_script(body, headers))
    argv = [
        binary,
        f"-t{max(1, min(threads, connections))}",
        f"-c{connections}",
        f"-d{max(1, round(duration_s))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    completed = subprocess.run(  # noqa: S603 - argv built here, no shell
        argv, capture_output=True, text=True, timeout=duration_s + 60, check=False
    )
    if completed.returncode != 0 or "error" in completed.stderr.lower():
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return parse_wrk_output(completed.stdout, connections)
