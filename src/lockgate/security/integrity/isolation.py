"""Run the scan in a fresh interpreter that executes no startup hook: ``python -S -I -B``.

``-S`` skips ``site`` (no ``.pth`` line runs, no ``sitecustomize``), ``-I`` ignores the
``PYTHON*`` variables and the user site and keeps the current folder off ``sys.path``, ``-B``
writes no bytecode into the environment being verified. The child imports no third-party
code, and not even ``lockgate/__init__.py``: the bootstrap registers empty ``lockgate`` and
``lockgate.security`` packages pointing at this installation's folders, then imports only
``lockgate.security.integrity``, which uses the standard library alone.

The argv is a list (no shell); site-packages folders are found by the child itself unless
given explicitly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from lockgate.security.integrity.report import Finding, Report, ReportFormatError

__all__ = ["BOOTSTRAP", "IsolatedScan", "RunningScan", "package_root", "run_isolated"]

BOOTSTRAP = """\
import sys, types
root = sys.argv[1]
for name, folder in (("lockgate", "/lockgate"), ("lockgate.security", "/lockgate/security")):
    module = types.ModuleType(name)
    module.__path__ = [root + folder]
    sys.modules[name] = module
from lockgate.security.integrity.verifier import main
sys.exit(main(sys.argv[2:]))
"""


def package_root() -> Path:
    """The folder that holds the ``lockgate`` package (site-packages, or ``src`` in a checkout)."""
    return Path(__file__).resolve().parents[3]


@dataclass(frozen=True, slots=True)
class IsolatedScan:
    python: str = sys.executable
    site_dirs: tuple[Path, ...] = ()
    lock_sets: tuple[tuple[Path, ...], ...] = ()
    allowed_hooks: tuple[str, ...] = ()
    home: Path | None = None
    extra_path: tuple[Path, ...] = ()
    use_cache: bool = False  # see hash_cache: files unchanged since verified are not re-read
    timeout_seconds: float = 600.0

    def argv(self) -> list[str]:
        args = [self.python, "-S", "-I", "-B", "-c", BOOTSTRAP, str(package_root())]
        for folder in self.site_dirs:
            args += ["--site-packages", str(folder)]
        for lock_set in self.lock_sets:
            args += ["--lock-set", os.pathsep.join(str(p) for p in lock_set)]
        for digest in self.allowed_hooks:
            args += ["--allow-hook", digest]
        if self.home is not None:
            args += ["--home", str(self.home)]
        for folder in self.extra_path:
            args += ["--path", str(folder)]
        if self.use_cache:
            args.append("--cache")
        return args


def _failed(detail: str) -> Report:
    return Report(findings=(Finding("scan", "failed", "-", detail),))


class RunningScan:
    """A scan started in the background (``lockgate serve`` loads while it runs)."""

    def __init__(self, scan: IsolatedScan) -> None:
        self._timeout = scan.timeout_seconds
        self._process: subprocess.Popen[bytes] | None = None
        self._error: Report | None = None
        try:
            self._process = subprocess.Popen(  # noqa: S603 - argv built here, no shell
                scan.argv(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except OSError as exc:
            self._error = _failed(f"the isolated scanner did not start: {exc}")

    def report(self) -> Report:
        """Wait for the scan; any failure of the scan itself is a finding."""
        if self._process is None:
            assert self._error is not None
            return self._error
        try:
            stdout, stderr = self._process.communicate(timeout=self._timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            return _failed(f"the isolated scanner took more than {self._timeout:g}s")
        code = self._process.returncode
        try:
            report = Report.from_dict(json.loads(stdout))
        except (ValueError, ReportFormatError):
            errors = stderr.decode("utf-8", "replace").strip().splitlines()
            last = errors[-1] if errors else "no output"
            return _failed(f"the isolated scanner exited with {code}: {last}")
        if code not in (0, 1) or (code == 0) != report.ok:
            return _failed(f"the isolated scanner exited with {code}")
        return report

    def close(self) -> None:
        """Stop a scan whose verdict is no longer wanted (the start-up failed first)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()


def run_isolated(scan: IsolatedScan) -> Report:
    """Run the scan and read its JSON report."""
    return RunningScan(scan).report()
