"""Print the sha256 of pyproject.toml's dependency declarations.

The lock files carry this digest; tests/test_lockfile.py recomputes it, so a pyproject edit
without a re-lock fails the test run.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path


def dependency_digest(pyproject: Path) -> str:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    declared = {
        "dependencies": sorted(project.get("dependencies", [])),
        "optional": {k: sorted(v) for k, v in project.get("optional-dependencies", {}).items()},
        "groups": {k: sorted(v) for k, v in data.get("dependency-groups", {}).items()},
        "requires-python": project.get("requires-python", ""),
        "build": sorted(data.get("build-system", {}).get("requires", [])),
    }
    canonical = json.dumps(declared, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    print(dependency_digest(root / "pyproject.toml"))
