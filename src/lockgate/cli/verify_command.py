"""``lockgate verify``: check the installed environment against its RECORDs and the lock.

The scan runs in a separate ``python -S -I`` interpreter (no startup hook executes in it);
this process only chooses what to compare against and prints the report. Exit status 0 when
everything checks out, 1 otherwise; ``--json`` prints the machine-readable report for CI.
``lockgate serve`` runs the same check before it starts (see :func:`verify_at_start`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

__all__ = ["StartupVerification", "register", "run", "shipped_lock", "verify_at_start"]


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "verify",
        help="prove the installed packages are the locked ones, untampered",
        description="Re-hash every installed file against its distribution's RECORD, report "
        "files no RECORD claims, executable .pth lines and sitecustomize modules, compare the "
        "installed set with the lock, and look for indicators of the March 2026 LiteLLM "
        "compromise. Runs in an isolated interpreter (python -S -I). Exit status 0 or 1.",
    )
    parser.add_argument(
        "--lock",
        action="append",
        default=[],
        metavar="FILE",
        help="lock file(s) the installed set must equal (repeat to combine; default: the "
        "runtime lock shipped with lockgate, or in a checkout requirements/runtime.txt or "
        "requirements/dev.txt). A build.txt beside a lock is included: scripts/setup installs "
        "the locked build backend into every environment",
    )
    parser.add_argument(
        "--no-build-lock", action="store_true", help="do not add the build.txt beside --lock"
    )
    parser.add_argument("--json", action="store_true", help="print the JSON report")
    parser.add_argument(
        "--allow-hook",
        action="append",
        default=[],
        metavar="SHA256",
        help="accept a .pth / sitecustomize file with this sha256 (repeatable)",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter whose environment to verify (default: this one)",
    )
    parser.add_argument(
        "--site-packages",
        action="append",
        default=[],
        metavar="DIR",
        help="verify these folders instead of the interpreter's own site-packages",
    )
    parser.add_argument(
        "--home",
        default=None,
        help="home folder searched for persistence files (default: the current user's)",
    )
    parser.add_argument(
        "--cache",
        action="store_true",
        help="do not re-read files unchanged (inode, size, mtime, ctime) since an earlier "
        "scan verified them (~/.cache/lockgate; what `lockgate serve` does)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="also print the notes")
    parser.set_defaults(handler=run)


def _lock_sets(locks: list[str], *, build_lock: bool = True) -> tuple[tuple[Path, ...], ...]:
    if locks:
        paths = [Path(p).resolve() for p in locks]
        companion = paths[0].parent / "build.txt"
        if build_lock and companion.is_file() and companion not in paths:
            paths.append(companion)
        return (tuple(paths),)
    from lockgate.security.integrity import default_lock_sets, package_root

    return tuple(default_lock_sets(package_root() / "lockgate", shipped_lock()))


def shipped_lock() -> Path | None:
    """The runtime lock the installed wheel carries (``.dist-info/extra_metadata/``)."""
    from importlib import metadata

    try:
        files = metadata.distribution("lockgate").files or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.parts[-2:] == ("extra_metadata", "runtime.txt"):
            return Path(str(file.locate()))
    return None


def _extra_path() -> tuple[Path, ...]:
    """PYTHONPATH as the gateway process would see it (the isolated scanner ignores it)."""
    value = os.environ.get("PYTHONPATH", "")
    return tuple(Path(p) for p in value.split(os.pathsep) if p)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from lockgate.security.integrity import IsolatedScan, run_isolated

    stream = out or sys.stdout
    scan = IsolatedScan(
        python=args.python,
        site_dirs=tuple(Path(p) for p in args.site_packages),
        lock_sets=_lock_sets(args.lock, build_lock=not args.no_build_lock),
        allowed_hooks=tuple(args.allow_hook),
        home=Path(args.home) if args.home else Path.home(),
        extra_path=_extra_path(),
        use_cache=args.cache,
    )
    report = run_isolated(scan)
    if args.json:
        stream.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        stream.write(report.render_text(verbose=args.verbose))
    return 0 if report.ok else 1


class StartupVerification:
    """``lockgate serve``'s check: started first, in a child process, so the gateway loads
    while it runs; :meth:`allows_serving` waits for the verdict before anything is served."""

    def __init__(self) -> None:
        from lockgate.security.integrity import IsolatedScan, RunningScan

        scan = IsolatedScan(
            lock_sets=_lock_sets([]), home=Path.home(), extra_path=_extra_path(), use_cache=True
        )
        self._running = RunningScan(scan)

    def close(self) -> None:
        """Stop the check if its verdict was never asked for (the start-up failed first)."""
        self._running.close()

    def allows_serving(self, *, allow_unverified: bool) -> bool:
        report = self._running.report()
        if report.ok:
            print(
                f"lockgate: environment verified ({report.distributions} distributions, "
                f"{report.files_hashed + report.files_cached} files)",
                file=sys.stderr,
            )
            return True
        sys.stderr.write(report.render_text())
        if allow_unverified:
            print("lockgate: WARNING: serving anyway (--allow-unverified)", file=sys.stderr)
            return True
        print(
            "lockgate: refusing to serve an environment that fails `lockgate verify` "
            "(fix it, or pass --allow-unverified)",
            file=sys.stderr,
        )
        return False


def verify_at_start(*, allow_unverified: bool) -> bool:
    """Verify with the defaults and wait: True when serving may go ahead."""
    return StartupVerification().allows_serving(allow_unverified=allow_unverified)
