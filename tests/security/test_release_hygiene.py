"""Release hygiene: the wheel builds to the same bytes twice (SOURCE_DATE_EPOCH, locked
hatchling), ships the runtime lock, and verifies once installed by pip; `lockgate sbom` is a
CycloneDX 1.5 document of the lock; every lock records its release-age cooldown."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lockgate.cli.main import main
from lockgate.security.integrity.lock_set import parse_lock
from tests.security.wheel_fixtures import FixtureVenv

ROOT = Path(__file__).resolve().parents[2]
EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache")


def source_copy(target: Path, mtime: float) -> Path:
    """The files the build reads, copied, every timestamp set to ``mtime``."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md", ".gitignore"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(ROOT / "src", target / "src", ignore=IGNORED)
    (target / "requirements").mkdir()
    for name in ("runtime.txt", "build.txt"):
        shutil.copy2(ROOT / "requirements" / name, target / "requirements" / name)
    (target / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "build_wheel", target / "scripts" / "build_wheel")
    for path in [target, *target.rglob("*")]:
        os.utime(path, (mtime, mtime))
    return target


def build(tree: Path) -> Path:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "PYTHON": sys.executable}
    subprocess.run(
        [str(tree / "scripts" / "build_wheel"), str(tree / "dist")],
        check=True,
        env=env,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = (tree / "dist").glob("lockgate-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("wheels")
    first = build(source_copy(base / "a", 1_700_000_000))
    second = build(source_copy(base / "b", 1_800_000_000))  # other mtimes, other folder
    return first, second


def test_wheel_build_is_reproducible(wheels: tuple[Path, Path]) -> None:
    first, second = wheels
    assert first.name == second.name
    assert (
        hashlib.sha256(first.read_bytes()).hexdigest()
        == hashlib.sha256(second.read_bytes()).hexdigest()
    )
    stamp = datetime.fromtimestamp(EPOCH, UTC).timetuple()[:6]
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {stamp}
        names = archive.namelist()
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        shipped = archive.read("lockgate-0.1.0.dist-info/extra_metadata/runtime.txt")
    assert shipped == (ROOT / "requirements" / "runtime.txt").read_bytes()


def test_pip_installed_wheel_verifies(
    wheels: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real pip install of the wheel into a fresh venv: lockgate's own files, RECORD and
    console script verify; the shipped lock is read; only the (absent) runtime set is missing."""
    venv = FixtureVenv.create(tmp_path / "venv")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv.python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            str(wheels[0]),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    shipped = (
        next(venv.site_packages.glob("lockgate-*.dist-info")) / "extra_metadata" / "runtime.txt"
    )
    code = main(
        [
            "verify",
            "--python",
            str(venv.python),
            "--lock",
            str(shipped),
            "--no-build-lock",
            "--home",
            str(tmp_path),
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    kinds = {(f["check"], f["kind"]) for f in report["findings"]}
    assert code == 1 and kinds == {("lock", "missing")}
    assert {f["path"] for f in report["findings"]} >= {"aiohttp", "uvicorn", "orjson"}
    # Control: editing the installed package is caught.
    init = venv.site_packages / "lockgate" / "__init__.py"
    init.write_text(init.read_text() + "\nimport os\n")
    main(
        [
            "verify",
            "--python",
            str(venv.python),
            "--lock",
            str(shipped),
            "--no-build-lock",
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in report["findings"] if f["kind"] == "modified"] == [str(init)]


def test_sbom_is_cyclonedx_of_the_runtime_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    out = tmp_path / "sbom.json"
    assert main(["sbom", "--output", str(out)]) == 0  # default: the runtime lock
    document = json.loads(out.read_text())
    assert document["bomFormat"] == "CycloneDX" and document["specVersion"] == "1.5"
    assert document["serialNumber"].startswith("urn:uuid:") and document["version"] == 1
    assert document["metadata"]["timestamp"] == "2026-01-01T00:00:00Z"
    assert document["metadata"]["component"]["purl"] == "pkg:pypi/lockgate@0.1.0"
    pins = parse_lock(ROOT / "requirements" / "runtime.txt")
    components = {c["name"]: c for c in document["components"]}
    assert len(components) == len(pins)
    for pin in pins:
        component = components[pin.name]
        assert component["type"] == "library" and component["version"] == pin.version
        assert component["purl"] == f"pkg:pypi/{pin.name}@{pin.version}" == component["bom-ref"]
        assert {h["content"] for h in component["hashes"]} == {h.split(":")[1] for h in pin.hashes}
        assert all(h["alg"] == "SHA-256" and len(h["content"]) == 64 for h in component["hashes"])
    assert "pkg:pypi/typing-extensions@" in out.read_text()  # purl names are normalised
    # Same lock, same epoch: the same document.
    again = tmp_path / "again.json"
    main(["sbom", "--lock", str(ROOT / "requirements" / "runtime.txt"), "--output", str(again)])
    assert again.read_bytes() == out.read_bytes()


def test_locks_carry_the_release_age_cooldown() -> None:
    assert "--exclude-newer" in (ROOT / "scripts" / "lock").read_text()
    for name in ("sdk", "runtime", "build", "dev"):
        header = (ROOT / "requirements" / f"{name}.txt").read_text().splitlines()[:3]
        (line,) = [h for h in header if h.startswith("# exclude-newer: ")]
        datetime.strptime(line.split(": ", 1)[1], "%Y-%m-%dT%H:%M:%SZ")
