"""``lockgate verify``: prove the installed code is the code that was locked.

Everything in this package uses the standard library only, so the scan can run in an
interpreter started with ``-S -I`` that executes no startup hook and imports no third-party
module (see :mod:`lockgate.security.integrity.isolation`).
"""

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
