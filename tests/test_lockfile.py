"""The hash-locked install: pyproject and the locks agree, every artifact has a hash, and
the installed environment is exactly the locked set."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from dependency_digest import dependency_digest  # noqa: E402

LOCKS = ("sdk", "build", "runtime", "dev")
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def parse_lock(name: str) -> dict[str, tuple[str, str | None, int]]:
    """name → (version, marker, number of hashes)."""
    pins: dict[str, tuple[str, str | None, int]] = {}
    current: str | None = None
    for line in (ROOT / "requirements" / f"{name}.txt").read_text().splitlines():
        match = _PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), match.group(3), 0)
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            version, marker, hashes = pins[current]
            pins[current] = (version, marker, hashes + 1)
    return pins


def applies(marker: str | None) -> bool:
    if not marker:
        return True
    return Requirement(f"x; {marker}").marker.evaluate(default_environment())  # type: ignore[union-attr]


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.mark.parametrize("lock", LOCKS)
def test_lock_matches_current_pyproject(lock: str) -> None:
    header = (ROOT / "requirements" / f"{lock}.txt").read_text().splitlines()[1]
    digest = dependency_digest(ROOT / "pyproject.toml")
    assert header == f"# pyproject-dependencies-sha256: {digest}", (
        "pyproject.toml changed since the lock was made: run scripts/lock"
    )


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_is_exact_and_hashed(lock: str) -> None:
    pins = parse_lock(lock)
    assert pins
    for name, (_, _, hashes) in pins.items():
        assert hashes >= 1, f"{name} has no sha256 in requirements/{lock}.txt"


def test_declared_dependencies_are_pinned_and_satisfied() -> None:
    data = pyproject()
    project = data["project"]
    assert isinstance(project, dict)
    runtime = parse_lock("runtime")
    declared = list(project["dependencies"]) + list(project["optional-dependencies"]["proxy"])
    for spec in declared:
        requirement = Requirement(spec)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        assert name in runtime, f"{name} is declared but not in requirements/runtime.txt"
        assert requirement.specifier.contains(runtime[name][0], prereleases=True)


def test_locks_agree_with_each_other() -> None:
    dev = parse_lock("dev")
    for lock in ("sdk", "runtime", "build"):
        for name, (version, _, _) in parse_lock(lock).items():
            if name in dev:  # the build backend is only in build.txt
                assert dev[name][0] == version, f"{name}: {lock} {version}, dev {dev[name][0]}"
            else:
                assert lock == "build", f"{name} is in {lock}.txt but not in dev.txt"


def test_installed_environment_is_exactly_the_dev_lock() -> None:
    locked = {n: v for n, (v, marker, _) in parse_lock("dev").items() if applies(marker)}
    locked.update({n: v for n, (v, m, _) in parse_lock("build").items() if applies(m)})
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()
    }
    installed.pop("lockgate", None)
    installed.pop("pip", None)
    installed.pop("setuptools", None)  # bundled with the venv on Python 3.11
    assert installed == locked


def test_sdk_runtime_set_is_small() -> None:
    sdk = [n for n, (_, marker, _) in parse_lock("sdk").items() if applies(marker)]
    assert len(sdk) <= 15, sorted(sdk)
