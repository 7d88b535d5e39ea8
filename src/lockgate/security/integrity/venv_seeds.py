"""pip and setuptools as ``python -m venv`` installs them: not in any lock, but accepted when
their version is the one the interpreter itself bundles (``ensurepip``'s wheels, or the
distribution's ``WHEEL_PKG_DIR``) and their RECORD hashes match that wheel's RECORD."""

from __future__ import annotations

import os
import sysconfig
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lockgate.security.integrity.installed import InstalledDistribution, canonical_name
from lockgate.security.integrity.record_check import parse_record

__all__ = ["BundledWheel", "bundled_wheels", "matches_bundled_wheel"]

_SEED_NAMES = frozenset({"pip", "setuptools", "wheel"})


@dataclass(frozen=True, slots=True)
class BundledWheel:
    name: str  # canonical
    version: str
    path: Path


def _wheel_folders() -> list[Path]:
    folders = [Path(sysconfig.get_paths()["stdlib"]) / "ensurepip" / "_bundled"]
    extra = sysconfig.get_config_var("WHEEL_PKG_DIR")
    if isinstance(extra, str) and extra:
        folders.append(Path(extra))
    return folders


def bundled_wheels(folders: Iterable[Path] | None = None) -> dict[str, list[BundledWheel]]:
    found: dict[str, list[BundledWheel]] = {}
    for folder in _wheel_folders() if folders is None else folders:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for filename in names:
            if not filename.endswith(".whl"):
                continue
            parts = filename[: -len(".whl")].split("-")
            if len(parts) < 5:
                continue
            name = canonical_name(parts[0])
            if name in _SEED_NAMES:
                found.setdefault(name, []).append(BundledWheel(name, parts[1], folder / filename))
    return found


def _wheel_hashes(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        record_name = next(
            (n for n in names if n.endswith(".dist-info/RECORD") and n.count("/") == 1), None
        )
        if record_name is None:
            return {}
        text = archive.read(record_name).decode("utf-8")
    return {e.path: f"{e.algorithm}={e.value}" for e in parse_record(text) if e.value}


def matches_bundled_wheel(
    dist: InstalledDistribution, wheels: dict[str, list[BundledWheel]]
) -> BundledWheel | None:
    """The bundled wheel ``dist`` was installed from, or None. Every file of the wheel must
    be listed in the installed RECORD with the same hash (RECORD's own check then proves the
    files on disk are those bytes)."""
    if dist.record is None or dist.canonical not in wheels:
        return None
    try:
        installed = {
            e.path: f"{e.algorithm}={e.value}"
            for e in parse_record(dist.record.read_text(encoding="utf-8"))
            if e.value
        }
    except (OSError, UnicodeDecodeError):
        return None
    for wheel in wheels.get(dist.canonical, []):
        if wheel.version != dist.version:
            continue
        try:
            expected = _wheel_hashes(wheel.path)
        except (OSError, zipfile.BadZipFile, UnicodeDecodeError):
            continue
        if expected and all(installed.get(path) == digest for path, digest in expected.items()):
            return wheel
    return None
