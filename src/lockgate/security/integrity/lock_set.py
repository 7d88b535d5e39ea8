"""The installed set against the hash-locked set: same names, same versions, nothing more.

A lock file is what ``scripts/lock`` writes (``uv pip compile --universal --generate-hashes``):
``name==version ; marker`` lines, each followed by its ``--hash=sha256:...`` lines. Markers are
evaluated for the interpreter being verified, so a pin for Windows only is not "missing" on
Linux.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from lockgate.security.integrity.installed import InstalledDistribution, canonical_name
from lockgate.security.integrity.markers import MarkerError, evaluate_marker
from lockgate.security.integrity.report import Finding

__all__ = [
    "LockError",
    "LockedPin",
    "compare_with_lock",
    "default_lock_sets",
    "locked_versions",
    "parse_lock",
]

_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*(?P<version>[^\s;\\]+)"
    r"\s*(?:;\s*(?P<marker>[^\\]+?))?\s*\\?\s*$"
)
_HASH = re.compile(r"--hash=(?P<algorithm>[a-z0-9]+):(?P<value>[0-9a-fA-F]+)")


class LockError(ValueError):
    """A lock file that cannot be read as exact pins."""


@dataclass(frozen=True, slots=True)
class LockedPin:
    name: str  # canonical
    version: str
    marker: str | None
    hashes: tuple[str, ...]  # "sha256:<hex>"
    source: str  # the lock file


def parse_lock(path: Path) -> list[LockedPin]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LockError(f"cannot read lock {path}: {exc.strerror or exc}") from None
    pins: list[LockedPin] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("--hash="):
            if not pins:
                raise LockError(f"{path}:{number}: a hash before any pin")
            last = pins[-1]
            hashes = tuple(f"{m['algorithm']}:{m['value'].lower()}" for m in _HASH.finditer(line))
            pins[-1] = replace(last, hashes=last.hashes + hashes)
            continue
        if line.startswith("-"):
            raise LockError(f"{path}:{number}: option {line.split()[0]!r} is not allowed in a lock")
        match = _PIN.match(line)
        if match is None:
            raise LockError(f"{path}:{number}: not an exact pin (name==version): {line!r}")
        marker = match["marker"].strip() if match["marker"] else None
        pins.append(
            LockedPin(canonical_name(match["name"]), match["version"], marker, (), str(path))
        )
    return pins


def locked_versions(
    paths: Sequence[Path], environment: Mapping[str, str] | None = None
) -> dict[str, str]:
    """name → version of every pin whose marker holds here (the union of ``paths``)."""
    versions: dict[str, str] = {}
    for path in paths:
        for pin in parse_lock(path):
            try:
                applies = pin.marker is None or evaluate_marker(pin.marker, environment)
            except MarkerError as exc:
                raise LockError(f"{path}: {pin.name}: {exc}") from None
            if not applies:
                continue
            previous = versions.setdefault(pin.name, pin.version)
            if previous != pin.version:
                raise LockError(f"{pin.name} is locked at both {previous} and {pin.version}")
    return versions


def compare_with_lock(
    installed: Iterable[InstalledDistribution],
    locked: Mapping[str, str],
    exempt: Mapping[str, str],
) -> list[Finding]:
    """``exempt``: name → why a distribution may be installed outside the lock (the project
    itself, the interpreter's own venv seeds)."""
    findings: list[Finding] = []
    by_name: dict[str, list[InstalledDistribution]] = {}
    for dist in installed:
        by_name.setdefault(dist.canonical, []).append(dist)
    for name, dists in sorted(by_name.items()):
        if len(dists) > 1:
            where = ", ".join(str(d.meta_dir) for d in dists)
            findings.append(
                Finding("lock", "duplicate", name, f"installed more than once: {where}")
            )
        if name in exempt:
            continue
        for dist in dists:
            want = locked.get(name)
            if want is None:
                findings.append(
                    Finding(
                        "lock",
                        "extra",
                        str(dist.meta_dir),
                        f"{dist.label} is installed but not locked",
                        dist.label,
                    )
                )
            elif not _same_version(dist.version, want):
                findings.append(
                    Finding(
                        "lock",
                        "version",
                        str(dist.meta_dir),
                        f"{dist.name} {dist.version} is installed, {want} is locked",
                        dist.label,
                    )
                )
    for name, version in sorted(locked.items()):
        if name not in by_name and name not in exempt:
            detail = f"{name} {version} is locked but not installed"
            findings.append(Finding("lock", "missing", name, detail))
    return findings


def _same_version(installed: str, locked: str) -> bool:
    return installed.strip().lower().lstrip("v") == locked.strip().lower().lstrip("v")


def default_lock_sets(package_dir: Path, shipped: Path | None = None) -> list[tuple[Path, ...]]:
    """The locks a plain ``lockgate verify`` compares against, in order of preference.

    - Run from a checkout (the editable install ``scripts/setup`` makes):
      ``requirements/runtime.txt`` or, for a development environment, ``requirements/dev.txt``,
      each with ``requirements/build.txt`` (the build backend ``scripts/setup`` installs next
      to either).
    - Installed from the wheel: ``shipped``, the runtime lock the wheel carries in its
      ``.dist-info/extra_metadata/runtime.txt``.
    """
    checkout = package_dir.parent.parent
    requirements = checkout / "requirements"
    if (checkout / "pyproject.toml").is_file() and requirements.is_dir():
        build = requirements / "build.txt"
        sets: list[tuple[Path, ...]] = []
        for name in ("runtime.txt", "dev.txt"):
            lock = requirements / name
            if lock.is_file():
                sets.append((lock, build) if build.is_file() else (lock,))
        if sets:
            return sets
    if shipped is not None and shipped.is_file():
        return [(shipped,)]
    return []
