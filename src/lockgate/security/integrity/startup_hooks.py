"""Code that runs at every interpreter start: ``.pth`` lines and ``sitecustomize`` /
``usercustomize`` modules.

CPython's ``site`` module executes any line of a ``.pth`` file in a site-packages folder that
starts with ``import`` (followed by a space or tab) — that is how ``litellm_init.pth`` ran on
every ``python`` start without anyone importing litellm. It also imports ``sitecustomize`` and
``usercustomize`` if they are anywhere on ``sys.path``. Each of these is flagged unless its
sha256 is on the allowlist: the built-in entries below (exact files shipped by the interpreter's
venv seed and by the locked dev tools) plus ``--allow-hook SHA256``. RECORD listing a hook is
no excuse: the malicious ``.pth`` was in its wheel's RECORD with a matching hash.

A ``.pth`` line that is a path (lockgate's own editable install writes one) only extends
``sys.path``; those folders are searched for customize modules too.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lockgate.security.integrity.report import Finding, Note

__all__ = [
    "KNOWN_HOOKS",
    "HookScan",
    "KnownHook",
    "executable_lines",
    "find_customize_modules",
    "scan_pth_files",
]

_CUSTOMIZE = ("sitecustomize", "usercustomize")


@dataclass(frozen=True, slots=True)
class KnownHook:
    sha256: str
    name: str
    why: str


KNOWN_HOOKS: tuple[KnownHook, ...] = (
    KnownHook(
        "2638ce9e2500e572a5e0de7faed6661eb569d1b696fcba07b0dd223da5f5d224",
        "distutils-precedence.pth",
        "setuptools' distutils shim, as `python -m venv` seeds it (setuptools 65.5 and later)",
    ),
    KnownHook(
        "ef2ed06d19867ec669c09a804060666a9cd5e383af0a9d11aa2de79b77d448e8",
        "a1_coverage.pth",
        "coverage.py's subprocess hook (a no-op unless COVERAGE_PROCESS_START is set); dev lock",
    ),
)


@dataclass(slots=True)
class HookScan:
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    pth_sha256: dict[str, str] = field(default_factory=dict)  # path → sha256 of every .pth
    path_entries: list[Path] = field(default_factory=list)  # folders .pth lines add


def executable_lines(text: str) -> list[str]:
    """The lines ``site`` would execute (read generously: leading blanks and a BOM do not
    hide a line from this check, though ``site`` itself may skip such lines)."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.lstrip(" \t\ufeff").startswith(("import ", "import\t"))
    ]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _allowed(digest: str, allowed: frozenset[str]) -> KnownHook | None:
    for hook in KNOWN_HOOKS:
        if hook.sha256 == digest:
            return hook
    if digest in allowed:
        return KnownHook(digest, "", "allowed by --allow-hook")
    return None


def scan_pth_files(site_dirs: Iterable[Path], allowed: frozenset[str]) -> HookScan:
    scan = HookScan()
    for site_dir in site_dirs:
        try:
            names = sorted(p for p in site_dir.iterdir() if p.name.endswith(".pth"))
        except OSError:
            continue
        for path in names:
            try:
                data = path.read_bytes()
            except OSError as exc:
                scan.findings.append(
                    Finding("startup_hook", "unreadable", str(path), type(exc).__name__)
                )
                continue
            digest = hashlib.sha256(data).hexdigest()
            scan.pth_sha256[str(path)] = digest
            text = data.decode("utf-8", errors="replace")
            _add_path_entries(scan, site_dir, text)
            lines = executable_lines(text)
            if not lines:
                continue
            known = _allowed(digest, allowed)
            if known is not None:
                scan.notes.append(Note("allowed_hook", str(path), known.why))
                continue
            shown = lines[0] if len(lines[0]) <= 120 else lines[0][:117] + "..."
            scan.findings.append(
                Finding(
                    "startup_hook",
                    "executable_pth",
                    str(path),
                    f"runs code at every interpreter start ({len(lines)} import line(s): "
                    f"{shown!r}); sha256 {digest} is not on the allowlist",
                )
            )
    return scan


def _add_path_entries(scan: HookScan, site_dir: Path, text: str) -> None:
    for line in text.splitlines():
        entry = line.rstrip()
        if not entry or entry.startswith("#") or entry.lstrip().startswith("import"):
            continue
        folder = Path(os.path.normpath(site_dir / entry))
        if folder.is_dir() and folder not in scan.path_entries:
            scan.path_entries.append(folder)


def _module_files(folder: Path, name: str) -> list[Path]:
    found: list[Path] = []
    package = folder / name
    if package.is_dir():
        found.append(package / "__init__.py" if (package / "__init__.py").exists() else package)
    for suffix in importlib.machinery.all_suffixes():
        candidate = folder / f"{name}{suffix}"
        if candidate.exists():
            found.append(candidate)
    return found


def find_customize_modules(
    search_path: Iterable[Path], allowed: frozenset[str]
) -> tuple[list[Finding], list[Note]]:
    findings: list[Finding] = []
    notes: list[Note] = []
    for folder in dict.fromkeys(search_path):
        if not folder.is_dir():
            continue
        for name in _CUSTOMIZE:
            for module in _module_files(folder, name):
                digest = _sha256(module) if module.is_file() else ""
                known = _allowed(digest, allowed) if digest else None
                if known is not None:
                    notes.append(Note("allowed_hook", str(module), known.why))
                    continue
                findings.append(
                    Finding(
                        "startup_hook",
                        "customize_module",
                        str(module),
                        f"{name} on the module search path runs at every interpreter start"
                        + (f"; sha256 {digest} is not on the allowlist" if digest else ""),
                    )
                )
    return findings, notes
