"""Files in site-packages that no distribution's RECORD claims.

A file nobody installed is how a hand-dropped payload looks (a stray ``.pth``, a module
shadowing a real one). One exception, by design: bytecode caches. Python writes
``__pycache__/<module>.<tag>[.opt-N].pyc`` next to any source it imports, so a cache whose
source file sits in the parent folder and *is* claimed by a RECORD is expected, whatever
interpreter tag or optimisation level it carries. A cache without a claimed source (or a
legacy ``module.pyc`` beside its source) is an orphan like any other file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["find_orphans", "walk_files"]


def walk_files(site_dir: Path) -> Iterator[str]:
    """Every file below ``site_dir``; a symbolic link to a folder counts as one file (it is
    never followed, so a link cannot pull another tree into the scan)."""
    for folder, dirnames, filenames in os.walk(site_dir, followlinks=False):
        for name in sorted(dirnames):
            path = os.path.join(folder, name)
            if os.path.islink(path):
                yield path
        for name in sorted(filenames):
            yield os.path.join(folder, name)


def _cache_source(path: str) -> str | None:
    """``pkg/__pycache__/mod.cpython-311.pyc`` → ``pkg/mod.py``."""
    folder, name = os.path.split(path)
    if not name.endswith(".pyc") or os.path.basename(folder) != "__pycache__":
        return None
    return os.path.join(os.path.dirname(folder), name.split(".", 1)[0] + ".py")


def find_orphans(site_dir: Path, claimed: set[str]) -> list[Path]:
    orphans: list[Path] = []
    for path in walk_files(site_dir):
        if os.path.normcase(path) in claimed:
            continue
        source = _cache_source(path)
        if source is not None and os.path.normcase(source) in claimed:
            continue
        orphans.append(Path(path))
    return orphans
