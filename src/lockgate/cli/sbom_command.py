"""``lockgate sbom``: a CycloneDX 1.5 JSON SBOM of the locked runtime set."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "sbom",
        help="write a CycloneDX SBOM of the locked runtime set",
        description="Write a CycloneDX 1.5 JSON SBOM (name, version, purl, sha256 hashes) of "
        "the lock: by default the runtime lock shipped with lockgate, or requirements/"
        "runtime.txt in a checkout. SOURCE_DATE_EPOCH fixes its timestamp.",
    )
    parser.add_argument("--lock", action="append", default=[], metavar="FILE", help="lock file(s)")
    parser.add_argument("--output", "-o", default="-", help="output file (default: stdout)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from lockgate.cli.verify_command import shipped_lock
    from lockgate.security.integrity import default_lock_sets, package_root
    from lockgate.security.integrity.lock_set import LockError
    from lockgate.security.sbom import build_sbom

    if args.lock:
        locks = [Path(p) for p in args.lock]
    else:
        candidates = default_lock_sets(package_root() / "lockgate", shipped_lock())
        if not candidates:
            print("lockgate sbom: no lock file found; pass --lock FILE", file=sys.stderr)
            return 2
        locks = [candidates[0][0]]  # the runtime lock alone, not the build backend
    try:
        document = build_sbom(locks)
    except (OSError, LockError) as exc:
        print(f"lockgate sbom: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(document, indent=2) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0
