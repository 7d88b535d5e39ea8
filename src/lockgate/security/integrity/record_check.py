"""Re-hash every file a distribution's ``RECORD`` lists: missing and modified files.

RECORD rules (the wheel spec): paths are relative to the site-packages folder that holds the
``.dist-info`` (``../../../bin/tool`` reaches the scripts folder; absolute paths are allowed),
and the hash may be left empty only for RECORD itself (and its signature files) and for
``__pycache__/*.pyc`` caches that the installer compiled. Any other entry without a hash is
reported as ``unhashed``: a file nobody can vouch for.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lockgate.security.integrity.file_digest import digest_file, record_hash
from lockgate.security.integrity.hash_cache import HashCache
from lockgate.security.integrity.installed import InstalledDistribution
from lockgate.security.integrity.report import Finding

__all__ = ["RecordCheck", "RecordEntry", "check_record", "normalised", "parse_record"]

_UNHASHED_ALLOWED = ("RECORD", "RECORD.jws", "RECORD.p7s")
_WEAK = frozenset({"md5", "sha1"})
_CODE_SUFFIXES = (".py", ".pyw", ".pth", ".sh")


def normalised(path: str | Path) -> str:
    """The key files are compared by: absolute, ``..`` resolved, case-folded where the OS is."""
    return os.path.normcase(os.path.normpath(os.path.abspath(path)))


@dataclass(frozen=True, slots=True)
class RecordEntry:
    path: str
    algorithm: str | None
    value: str | None
    size: int | None


@dataclass(slots=True)
class RecordCheck:
    findings: list[Finding] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)  # normalised paths the RECORD lists
    marks: list[tuple[str, str]] = field(default_factory=list)  # (path, pattern name)
    hashed_files: int = 0  # read and hashed now
    cached_files: int = 0  # unchanged since a previous scan verified them (see hash_cache)


def parse_record(text: str) -> list[RecordEntry]:
    entries: list[RecordEntry] = []
    for row in csv.reader(io.StringIO(text)):
        if not row or not row[0]:
            continue
        path = row[0]
        digest = row[1] if len(row) > 1 else ""
        size_text = row[2] if len(row) > 2 else ""
        algorithm, _, value = digest.partition("=")
        entries.append(
            RecordEntry(
                path=path,
                algorithm=(algorithm.lower() or None) if value else None,
                value=value or None,
                size=int(size_text) if size_text.strip().isdigit() else None,
            )
        )
    return entries


def _may_carry_code(path: str) -> bool:
    """Files searched for indicators: Python sources, .pth files and scripts (no suffix, as
    in bin/). Compiled libraries, stubs and data are hashed, not searched (speed)."""
    name = os.path.basename(path)
    return name.endswith(_CODE_SUFFIXES) or "." not in name


def _may_be_unhashed(target: str, meta_dir: str) -> bool:
    """Installers list the caches they compile (``__pycache__/*.pyc``) without a hash; a
    sourceless ``module.pyc`` elsewhere is importable code and needs one."""
    folder, name = os.path.split(target)
    if name.endswith(".pyc") and os.path.basename(folder) == "__pycache__":
        return True
    return folder == meta_dir and name in _UNHASHED_ALLOWED


def _check_entry(
    entry: RecordEntry,
    target: str,
    meta_dir: str,
    dist: InstalledDistribution,
    patterns: Mapping[str, tuple[bytes, ...]],
    result: RecordCheck,
    cache: HashCache,
) -> None:
    """`target` is the entry's normalised path, `meta_dir` the dist-info folder's."""

    def report(kind: str, detail: str) -> None:
        result.findings.append(Finding("record", kind, target, detail, dist.label))

    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        report("unreadable", f"cannot be read: {exc.strerror or type(exc).__name__}")
        return
    if entry.value is None:
        if info is not None and not _may_be_unhashed(target, meta_dir):
            report("unhashed", "listed in RECORD without a hash")
        return
    algorithm = entry.algorithm or ""
    if algorithm in _WEAK or algorithm not in hashlib.algorithms_guaranteed:
        report("unhashed", f"RECORD uses the unsupported hash {algorithm!r}")
        return
    if info is None:
        report("missing", "listed in RECORD but not on disk")
        return
    if not stat.S_ISREG(info.st_mode):
        report("modified", "listed in RECORD as a file but is not a regular file")
        return
    if entry.size is not None and entry.size != info.st_size:
        report("modified", f"size {info.st_size} differs from RECORD's {entry.size}")
        return
    expected = f"{algorithm}={entry.value}"
    if cache.verified(target, info, expected):
        result.cached_files += 1
        return
    try:
        searched = patterns if _may_carry_code(target) else None
        digest = digest_file(target, algorithm, searched)
    except OSError as exc:
        report("unreadable", f"cannot be read: {exc.strerror or type(exc).__name__}")
        return
    result.hashed_files += 1
    result.marks.extend((target, mark) for mark in sorted(digest.marks))
    if record_hash(digest.digest) != entry.value:
        report("modified", f"{algorithm} differs from RECORD")
    elif not digest.marks:
        cache.remember(target, info, expected)


def check_record(
    dist: InstalledDistribution,
    patterns: Mapping[str, tuple[bytes, ...]] | None = None,
    cache: HashCache | None = None,
) -> RecordCheck:
    """Hash every file ``dist``'s RECORD lists; ``claimed`` holds them for the orphan search."""
    result = RecordCheck()
    known = cache if cache is not None else HashCache()
    if dist.record is None:
        result.findings.append(
            Finding(
                "record",
                "no_record",
                str(dist.meta_dir),
                "installed without a RECORD: its files cannot be verified",
                dist.label,
            )
        )
        return result
    try:
        text = dist.record.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        result.findings.append(
            Finding("record", "unreadable", str(dist.record), type(exc).__name__, dist.label)
        )
        return result
    result.claimed.add(normalised(dist.record))
    seen: set[str] = set()
    # Each path joined and normalised once (a start-up scan checks ~23,000 entries).
    site_dir, meta_dir, searched = (
        os.fspath(dist.site_dir),
        os.fspath(dist.meta_dir),
        patterns or {},
    )
    for entry in parse_record(text):
        target = os.path.normpath(os.path.join(site_dir, entry.path))
        key = os.path.normcase(target)
        if key in seen:
            continue
        seen.add(key)
        result.claimed.add(key)
        _check_entry(entry, target, meta_dir, dist, searched, result, known)
    return result
