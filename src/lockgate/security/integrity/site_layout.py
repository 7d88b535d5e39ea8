"""Where the interpreter being verified looks for packages, worked out without running
``site`` (which would execute the very ``.pth`` files under suspicion).

Under ``python -S`` a virtual environment's ``sys.prefix`` is still the base interpreter's
(``site.venv`` is what moves it), so the ``pyvenv.cfg`` rules are applied here by hand:
its folder holds the environment's site-packages, ``include-system-site-packages`` adds the
base interpreter's, and the user site applies only outside an isolated environment.
"""

from __future__ import annotations

import os
import site
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SiteLayout", "discover_layout"]


@dataclass(frozen=True, slots=True)
class SiteLayout:
    site_dirs: tuple[Path, ...]  # where .pth files are processed and distributions live
    stdlib_path: tuple[Path, ...]  # sys.path of an interpreter started without site
    venv: Path | None


def _pyvenv(executable: str) -> tuple[Path | None, bool]:
    exe_dir = Path(os.path.abspath(executable)).parent
    for candidate in (exe_dir / "pyvenv.cfg", exe_dir.parent / "pyvenv.cfg"):
        if candidate.is_file():
            system_site = True
            for line in candidate.read_text(encoding="utf-8", errors="replace").splitlines():
                key, sep, value = line.partition("=")
                if sep and key.strip().lower() == "include-system-site-packages":
                    system_site = value.strip().lower() == "true"
            return exe_dir.parent, system_site
    return None, True


def _user_site_applies(venv: Path | None, system_site: bool) -> bool:
    if venv is not None and not system_site:
        return False
    if hasattr(os, "getuid") and os.getuid() != os.geteuid():
        return False
    return os.environ.get("PYTHONNOUSERSITE", "") == ""


def discover_layout(executable: str | None = None) -> SiteLayout:
    venv, system_site = _pyvenv(executable or sys.executable)
    prefixes: list[str] = []
    if venv is not None:
        prefixes.append(str(venv))
    if venv is None or system_site:
        prefixes += [sys.base_prefix, sys.base_exec_prefix]
    dirs = [Path(p) for p in site.getsitepackages(list(dict.fromkeys(prefixes)))]
    if _user_site_applies(venv, system_site):
        dirs.append(Path(site.getusersitepackages()))
    existing = tuple(dict.fromkeys(d for d in dirs if d.is_dir()))
    stdlib = tuple(Path(p) for p in sys.path if p)
    return SiteLayout(site_dirs=existing, stdlib_path=stdlib, venv=venv)
