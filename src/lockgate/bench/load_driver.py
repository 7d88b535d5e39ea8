"""Choose the load generator once per run (wrk when installed) and drive one URL with it."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from lockgate.bench.event_loop import run_async
from lockgate.bench.load_builtin import run_builtin
from lockgate.bench.load_wrk import find_wrk, run_wrk
from lockgate.bench.results import LoadResult

__all__ = ["LoadDriver", "choose_load_driver"]


class LoadDriver:
    """`wrk` (binary path) or the built-in generator (`wrk_binary=None`)."""

    def __init__(self, wrk_binary: str | None, script_dir: Path, wrk_threads: int = 1) -> None:
        self.wrk_binary = wrk_binary
        self.script_dir = script_dir
        self.wrk_threads = wrk_threads

    @property
    def description(self) -> str:
        if self.wrk_binary is None:
            return "built-in (aiohttp in the benchmark's own process; wrk not used)"
        version = subprocess.run(  # noqa: S603 - fixed argv
            [self.wrk_binary, "--version"], capture_output=True, text=True, check=False
        )
        first = (version.stdout or version.stderr).strip().splitlines()
        name = first[0].split("[")[0].strip() if first else "wrk"
        return f"{name} ({self.wrk_threads} thread(s), Lua POST script)"

    def run(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        connections: int,
        duration_s: float,
    ) -> LoadResult:
        if self.wrk_binary is None:
            return run_async(
                run_builtin(url, body, headers, connections=connections, duration_s=duration_s)
            )
        return run_wrk(
            self.wrk_binary,
            url,
            body,
            headers,
            connections=connections,
            duration_s=duration_s,
            script_dir=self.script_dir,
            threads=self.wrk_threads,
        )


def choose_load_driver(kind: str, script_dir: Path, wrk_threads: int = 1) -> LoadDriver:
    """`kind` is "auto" (wrk when found), "wrk" (required) or "builtin"."""
    if kind == "builtin":
        return LoadDriver(None, script_dir)
    binary = find_wrk()
    if binary is None and kind == "wrk":
        raise RuntimeError("wrk was asked for but is not installed (Debian package: wrk)")
    return LoadDriver(binary, script_dir, wrk_threads)
