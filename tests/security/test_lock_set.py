"""Lock parsing and marker evaluation of the verifier (which cannot use `packaging`), checked
against `packaging` itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import Marker, default_environment

from lockgate.security.integrity.lock_set import (
    LockError,
    default_lock_sets,
    locked_versions,
    parse_lock,
)
from lockgate.security.integrity.markers import MarkerError, evaluate_marker, marker_environment

ROOT = Path(__file__).resolve().parents[2]

MARKERS = [
    "sys_platform == 'win32'",
    "sys_platform != 'win32'",
    "python_full_version < '3.11.3'",
    "python_full_version < '3.13'",
    "python_full_version >= '3.13'",
    "python_full_version >= '3.12' and sys_platform == 'emscripten'",
    "implementation_name != 'PyPy' and platform_python_implementation != 'PyPy'",
    "python_version >= '3.8' or os_name == 'nt'",
    "(python_version < '3.9' or python_version >= '3.11') and os_name == 'posix'",
    "python_version == '3.11.*'",
    "python_version ~= '3.10'",
    "python_full_version ~= '3.11.0'",
    "'linux' in sys_platform",
    "'win' not in sys_platform",
    'platform_machine == "x86_64" or platform_machine == "aarch64"',
    "python_version > '3'",
    "python_version <= '3.11'",
    "python_full_version === '3.11.7'",
    "extra == 'proxy'",
]

ENVIRONMENTS = [
    {},
    {
        "sys_platform": "win32",
        "os_name": "nt",
        "python_version": "3.13",
        "python_full_version": "3.13.0rc1",
    },
    {"python_version": "3.9", "python_full_version": "3.9.18", "platform_machine": "aarch64"},
    {
        "python_full_version": "3.11.2",
        "implementation_name": "pypy",
        "platform_python_implementation": "PyPy",
    },
]


@pytest.mark.parametrize("marker", MARKERS)
@pytest.mark.parametrize("overrides", ENVIRONMENTS)
def test_marker_evaluation_agrees_with_packaging(marker: str, overrides: dict[str, str]) -> None:
    env = {**default_environment(), "extra": ""}
    env.update(overrides)
    assert evaluate_marker(marker, env) == Marker(marker).evaluate(env)  # type: ignore[arg-type]


def test_marker_environment_matches_packaging() -> None:
    ours = marker_environment()
    theirs = default_environment()
    assert {k: ours[k] for k in theirs} == theirs


@pytest.mark.parametrize(
    "marker", ["python_version <", "bogus == '1'", "(os_name == 'nt'", "os_name ="]
)
def test_unreadable_markers_raise(marker: str) -> None:
    with pytest.raises(MarkerError):
        evaluate_marker(marker)


def test_project_locks_parse_with_hashes() -> None:
    for name in ("sdk", "runtime", "build", "dev"):
        pins = parse_lock(ROOT / "requirements" / f"{name}.txt")
        assert pins and all(p.hashes for p in pins), name
        assert all(h.startswith("sha256:") and len(h) == 71 for p in pins for h in p.hashes)


def test_lock_that_is_not_exact_pins_is_refused(tmp_path: Path) -> None:
    for text in ("aiohttp>=3\n", "-e ./local\n", "--index-url https://example.invalid/\n"):
        lock = tmp_path / "lock.txt"
        lock.write_text(text)
        with pytest.raises(LockError):
            parse_lock(lock)


def test_conflicting_pins_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x==1\n")
    (tmp_path / "b.txt").write_text("x==2\n")
    with pytest.raises(LockError, match="locked at both"):
        locked_versions([tmp_path / "a.txt", tmp_path / "b.txt"])


def test_default_locks_from_a_checkout_and_from_a_wheel(tmp_path: Path) -> None:
    package = ROOT / "src" / "lockgate"
    requirements = ROOT / "requirements"
    shipped = tmp_path / "lockgate-0.1.0.dist-info" / "extra_metadata" / "runtime.txt"
    shipped.parent.mkdir(parents=True)
    shipped.write_text("x==1\n")
    # A checkout (editable install) uses its requirements/ folder, runtime or dev.
    assert default_lock_sets(package, shipped) == [
        (requirements / "runtime.txt", requirements / "build.txt"),
        (requirements / "dev.txt", requirements / "build.txt"),
    ]
    # An installed wheel uses the lock it carries in its .dist-info.
    site_package = tmp_path / "site-packages" / "lockgate"
    assert default_lock_sets(site_package, shipped) == [(shipped,)]
    assert default_lock_sets(site_package, None) == []
