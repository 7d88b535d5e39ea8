"""The scan itself, run inside ``python -S -I`` (see ``isolation``): RECORD hashes, orphans,
startup hooks, the lock comparison and the compromise indicators, over every site-packages
folder of the interpreter. Imports only the standard library and this package."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lockgate.security.integrity import indicators
from lockgate.security.integrity.file_digest import digest_file
from lockgate.security.integrity.hash_cache import HashCache, default_cache_file
from lockgate.security.integrity.installed import InstalledDistribution, installed_distributions
from lockgate.security.integrity.lock_set import LockError, compare_with_lock, locked_versions
from lockgate.security.integrity.orphans import find_orphans
from lockgate.security.integrity.record_check import check_record
from lockgate.security.integrity.report import Finding, Note, Report
from lockgate.security.integrity.site_layout import discover_layout
from lockgate.security.integrity.startup_hooks import find_customize_modules, scan_pth_files
from lockgate.security.integrity.venv_seeds import bundled_wheels, matches_bundled_wheel

__all__ = ["ScanOptions", "main", "scan"]

MAX_FINDINGS_PER_CHECK = 500


@dataclass(frozen=True, slots=True)
class ScanOptions:
    site_dirs: tuple[Path, ...] = ()  # empty: this interpreter's own (see site_layout)
    # Candidate lock sets; the installed set must equal one of them. Empty: a failure.
    lock_sets: tuple[tuple[Path, ...], ...] = ()
    allowed_hooks: frozenset[str] = frozenset()  # extra sha256 values
    home: Path | None = None  # None: the persistence indicators are not checked
    extra_path: tuple[Path, ...] = ()  # module search path beyond site (PYTHONPATH)
    project: str = "lockgate"  # the distribution being verified is exempt from the lock
    # Skip re-reading files unchanged since they last verified (see hash_cache); None: off.
    cache_file: Path | None = None


@dataclass(slots=True)
class _Scan:
    patterns: dict[str, tuple[bytes, ...]]
    cache: HashCache
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    marks: list[tuple[str, str]] = field(default_factory=list)  # (path, indicator domain)
    hashed: int = 0
    cached: int = 0


def _lock_findings(
    dists: list[InstalledDistribution], options: ScanOptions, scan: _Scan
) -> tuple[str, ...]:
    """Compare with each candidate lock set; keep the closest. Returns the lock files used."""
    if not options.lock_sets:
        detail = "no lock file found or given (--lock FILE): the installed set is unproven"
        scan.findings.append(Finding("lock", "no_lock", "-", detail))
        return ()
    exempt = {options.project: "the project being verified"}
    wheels = bundled_wheels()
    for dist in dists:
        wheel = matches_bundled_wheel(dist, wheels)
        if wheel is not None:
            exempt[dist.canonical] = f"venv seed, identical to {wheel.path}"
            scan.notes.append(Note("venv_seed", str(dist.meta_dir), exempt[dist.canonical]))
    best: tuple[list[Finding], tuple[Path, ...]] | None = None
    for lock_set in options.lock_sets:
        try:
            locked = locked_versions(lock_set)
        except LockError as exc:
            findings = [Finding("lock", "unreadable", str(lock_set[0]), str(exc))]
        else:
            findings = compare_with_lock(dists, locked, exempt)
        if best is None or len(findings) < len(best[0]):
            best = (findings, lock_set)
        if not findings:
            break
    assert best is not None
    scan.findings.extend(best[0])
    return tuple(str(p) for p in best[1])


def _capped(findings: list[Finding]) -> list[Finding]:
    """At most MAX_FINDINGS_PER_CHECK per check: a hostile tree cannot flood the report."""
    kept: list[Finding] = []
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.check] = counts.get(finding.check, 0) + 1
        if counts[finding.check] <= MAX_FINDINGS_PER_CHECK:
            kept.append(finding)
    for check, count in sorted(counts.items()):
        if count > MAX_FINDINGS_PER_CHECK:
            extra = count - MAX_FINDINGS_PER_CHECK
            kept.append(Finding(check, "truncated", "-", f"{extra} more {check} finding(s)"))
    return kept


def _check_records(dists: list[InstalledDistribution], state: _Scan) -> set[str]:
    """RECORD hashes of every distribution; returns the paths the RECORDs claim."""
    claimed: set[str] = set()
    for dist in dists:
        result = check_record(dist, state.patterns, state.cache)
        state.findings += result.findings
        state.marks += result.marks
        state.hashed += result.hashed_files
        state.cached += result.cached_files
        claimed |= result.claimed
        if dist.editable_url is not None:
            source = dist.editable_url or "a local folder"
            state.notes.append(
                Note(
                    "editable",
                    str(dist.meta_dir),
                    f"{dist.label} is an editable install of {source}: its sources are not hashed",
                )
            )
    return claimed


def _check_orphans(site_dirs: tuple[Path, ...], claimed: set[str], state: _Scan) -> list[Path]:
    orphans: list[Path] = []
    for site_dir in site_dirs:
        orphans += find_orphans(site_dir, claimed)
    for orphan in orphans:
        detail = "no installed distribution's RECORD lists it"
        state.findings.append(Finding("orphan", "orphan", str(orphan), detail))
        if orphan.is_file() and not orphan.is_symlink():
            with contextlib.suppress(OSError):
                marks = digest_file(orphan, "sha256", state.patterns).marks
                state.marks += [(str(orphan), mark) for mark in marks]
    return orphans


def scan(options: ScanOptions) -> Report:
    layout = discover_layout()
    site_dirs = tuple(Path(os.path.abspath(d)) for d in options.site_dirs or layout.site_dirs)
    state = _Scan(patterns=indicators.content_patterns(), cache=HashCache.load(options.cache_file))
    dists = [dist for site_dir in site_dirs for dist in installed_distributions(site_dir)]
    claimed = _check_records(dists, state)
    state.cache.save()
    orphans = _check_orphans(site_dirs, claimed, state)
    hooks = scan_pth_files(site_dirs, options.allowed_hooks)
    state.findings += hooks.findings
    state.notes += hooks.notes
    search_path = [*layout.stdlib_path, *options.extra_path, *site_dirs, *hooks.path_entries]
    customize_findings, customize_notes = find_customize_modules(search_path, options.allowed_hooks)
    state.findings += customize_findings
    state.notes += customize_notes
    lock_files = _lock_findings(dists, options, state)
    state.findings += indicators.check_distributions(dists)
    state.findings += indicators.check_file_names([*orphans, *map(Path, hooks.pth_sha256)])
    state.findings += indicators.check_pth_hashes(hooks.pth_sha256)
    state.findings += indicators.marks_to_findings(sorted(set(state.marks)))
    if options.home is not None:
        state.findings += indicators.check_home(options.home)
    return Report(
        findings=tuple(_capped(_unique(state.findings))),
        notes=tuple(state.notes),
        site_packages=tuple(str(d) for d in site_dirs),
        lock_files=lock_files,
        distributions=len(dists),
        files_hashed=state.hashed,
        files_cached=state.cached,
    )


def _unique(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lockgate-verify-scan", add_help=False)
    parser.add_argument("--site-packages", action="append", default=[])
    parser.add_argument("--lock-set", action="append", default=[])
    parser.add_argument("--allow-hook", action="append", default=[])
    parser.add_argument("--home")
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("--project", default="lockgate")
    parser.add_argument("--cache", action="store_true")
    return parser


def main(argv: Sequence[str]) -> int:
    """Entry point inside the isolated interpreter: the JSON report on stdout, exit 0 or 1."""
    args = _parser().parse_args(list(argv))
    site_dirs = tuple(Path(p) for p in args.site_packages)
    cache_file: Path | None = None
    if args.cache:
        folders = [os.path.abspath(d) for d in site_dirs or discover_layout().site_dirs]
        cache_file = default_cache_file(folders, Path.home(), os.environ.get("XDG_CACHE_HOME"))
    options = ScanOptions(
        site_dirs=site_dirs,
        lock_sets=tuple(tuple(Path(p) for p in s.split(os.pathsep) if p) for s in args.lock_set),
        allowed_hooks=frozenset(h.lower() for h in args.allow_hook),
        home=Path(args.home) if args.home else None,
        extra_path=tuple(Path(p) for p in args.path),
        project=args.project,
        cache_file=cache_file,
    )
    report = scan(options)
    sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    sys.stdout.flush()
    return 0 if report.ok else 1
