"""``lockgate verify``: prove the installed code is the code that was locked.

Everything in this package uses the standard library only, so the scan can run in an
interpreter started with ``-S -I`` that executes no startup hook and imports no third-party
module (see :mod:`lockgate.security.integrity.isolation`).

The names below are imported on first use: ``lockgate serve`` only starts the scan (in a
child process) and reads its report, so it never loads the scanner's own modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from lockgate.security.integrity.isolation import (
        IsolatedScan,
        RunningScan,
        package_root,
        run_isolated,
    )
    from lockgate.security.integrity.lock_set import default_lock_sets
    from lockgate.security.integrity.report import Finding, Note, Report
    from lockgate.security.integrity.verifier import ScanOptions, scan

__all__ = [
    "Finding",
    "IsolatedScan",
    "Note",
    "Report",
    "RunningScan",
    "ScanOptions",
    "default_lock_sets",
    "package_root",
    "run_isolated",
    "scan",
]

# name -> the module of this package that defines it
_HOMES: Final = {
    "Finding": "report",
    "IsolatedScan": "isolation",
    "Note": "report",
    "Report": "report",
    "RunningScan": "isolation",
    "ScanOptions": "verifier",
    "default_lock_sets": "lock_set",
    "package_root": "isolation",
    "run_isolated": "isolation",
    "scan": "verifier",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
