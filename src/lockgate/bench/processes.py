"""Server subprocesses of a benchmark: start, wait until ready, measure RSS, always stop.

Each server runs in its own session (process group) so that stopping it also stops the
workers it forked (nginx's worker, uvicorn's worker processes), and a Ctrl-C in the terminal
reaches only the benchmark, which then stops every server itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = [
    "BenchProcessError",
    "ManagedProcess",
    "RssSample",
    "free_port",
    "rss_of_tree",
]


class BenchProcessError(RuntimeError):
    """A server did not start, or exited when it should have been serving."""


@dataclass(frozen=True, slots=True)
class RssSample:
    """Resident memory of a process and its descendants, in MiB."""

    total_mb: float
    largest_mb: float  # the biggest single process: "per worker" when several run
    processes: int


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _parent_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _vm_rss_kb(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0  # a zombie has no VmRSS line


def rss_of_tree(pid: int) -> RssSample:
    """VmRSS of `pid` plus every descendant (shared pages are counted in each process)."""
    children = _parent_map()
    pending = [pid]
    sizes: list[int] = []
    while pending:
        current = pending.pop()
        size = _vm_rss_kb(current)
        if size is None:
            continue
        sizes.append(size)
        pending.extend(children.get(current, ()))
    if not sizes:
        return RssSample(0.0, 0.0, 0)
    return RssSample(sum(sizes) / 1024, max(sizes) / 1024, len(sizes))


class ManagedProcess:
    """One server subprocess; output goes to a log file shown when it fails to start."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> None:
        self.name = name
        self.stop_signal = stop_signal
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None
        self._started_at = 0.0

    @property
    def pid(self) -> int:
        if self._process is None:
            raise BenchProcessError(f"{self.name} is not running")
        return self._process.pid

    def start(self) -> None:
        self._started_at = time.monotonic()
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - argv built by the benchmark
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        if self._process is None or self._process.poll() is not None:
            code = None if self._process is None else self._process.returncode
            raise BenchProcessError(
                f"{self.name} exited (code {code}); its output ends with:\n{self.log_tail()}"
            )

    def wait_ready(self, url: str, timeout: float = 30.0) -> float:
        """Poll `url` until it answers 2xx, the process dies, or `timeout` passes; the
        seconds from `start` to ready (to within the 20 ms poll interval)."""
        deadline = time.monotonic() + timeout
        last_error = "no answer"
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(url, timeout=2.0) as reply:  # noqa: S310 - loopback
                    if 200 <= reply.status < 300:
                        return time.monotonic() - self._started_at
                    last_error = f"status {reply.status}"
            except urllib.error.HTTPError as exc:
                last_error = f"status {exc.code}"
            except (OSError, ValueError) as exc:
                last_error = str(exc)
            time.sleep(0.02)
        raise BenchProcessError(
            f"{self.name} not ready at {url} after {timeout:.0f}s ({last_error}); "
            f"its output ends with:\n{self.log_tail()}"
        )

    def rss(self) -> RssSample:
        return rss_of_tree(self.pid)

    def stop(self, grace: float = 5.0) -> None:
        """Signal the whole process group (SIGTERM unless told otherwise), then SIGKILL
        whatever is left after `grace`."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, self.stop_signal)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
        # Workers may outlive their parent for a moment: the group goes in any case.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)

    def __enter__(self) -> ManagedProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
