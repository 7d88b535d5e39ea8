"""`lockgate verify` against environments built in the test: a clean venv passes, and each
planted fault fails with the file named. The real CLI runs the real isolated scanner against
a `python -m venv --without-pip` environment holding wheels built here."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lockgate.cli.main import main
from tests.security.wheel_fixtures import FixtureVenv, build_wheel, install_wheel, write_lock

ALPHA = {
    "alpha/__init__.py": b"from alpha.core import answer\n",
    "alpha/core.py": b"def answer() -> int:\n    return 42\n",
}
BETA = {"beta.py": b"VALUE = 'beta'\n"}


@dataclass
class Env:
    venv: FixtureVenv
    folder: Path
    lock: Path
    home: Path

    @property
    def site(self) -> Path:
        return self.venv.site_packages

    def install(self, name: str, version: str, files: dict[str, bytes], *, lock: bool) -> None:
        self.venv.install(self.folder, name, version, files)
        if lock:
            pins = {n: v for n, _, v in _pins(self.lock)} | {name: version}
            write_lock(self.lock, pins)

    def verify(self, *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
        code = main(
            [
                "verify",
                "--python",
                str(self.venv.python),
                "--lock",
                str(self.lock),
                "--home",
                str(self.home),
                "--json",
                *extra,
            ]
        )
        return code, json.loads(capsys.readouterr().out)


def _pins(lock: Path) -> list[tuple[str, str, str]]:
    pins = []
    for line in lock.read_text().splitlines():
        if "==" in line:
            name, _, version = line.split(" ")[0].partition("==")
            pins.append((name, "==", version))
    return pins


def findings(report: dict[str, Any], check: str, kind: str) -> list[str]:
    return [f["path"] for f in report["findings"] if f["check"] == check and f["kind"] == kind]


def kinds(report: dict[str, Any]) -> set[str]:
    return {f"{f['check']}/{f['kind']}" for f in report["findings"]}


@pytest.fixture
def env(tmp_path: Path) -> Env:
    venv = FixtureVenv.create(tmp_path / "venv")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    environment = Env(venv, wheels, write_lock(tmp_path / "lock.txt", {}), home)
    environment.install("alpha", "1.0", ALPHA, lock=True)
    environment.install("beta", "2.0", BETA, lock=True)
    return environment


def test_clean_venv_passes(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = env.verify(capsys=capsys)
    assert report["findings"] == [], report["findings"]
    assert code == 0 and report["ok"] is True
    assert report["distributions"] == 2
    assert report["site_packages"] == [str(env.site)]


def test_text_report_and_exit_status(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    (env.site / "alpha" / "core.py").write_bytes(b"def answer() -> int:\n    return 41\n")
    code = main(["verify", "--python", str(env.venv.python), "--lock", str(env.lock)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"FAIL record/modified: {env.site / 'alpha' / 'core.py'} [alpha 1.0]" in out
    assert "lockgate verify: FAILED, 1 problem(s)" in out


def test_record_listed_executable_pth_is_caught(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    # RECORD lists the .pth with its true hash, and the lock pins the release: the RECORD and
    # lock checks both pass, as they did for litellm 1.82.8. The startup-hook check does not.
    hook = b"import os; os.environ.setdefault('PWNED', '1')\n"
    env.install("gamma", "3.0", {"gamma_init.pth": hook, "gamma/__init__.py": b""}, lock=True)
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert kinds(report) == {"startup_hook/executable_pth"}
    assert findings(report, "startup_hook", "executable_pth") == [str(env.site / "gamma_init.pth")]


def test_litellm_1_82_8_shaped_release_is_caught(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = b"import base64; exec(base64.b64decode('cGFzcw=='))\n"
    files = {"litellm_init.pth": payload, "litellm/__init__.py": b""}
    env.install("litellm", "1.82.8", files, lock=True)
    code, report = env.verify(capsys=capsys)
    pth = str(env.site / "litellm_init.pth")
    assert code == 1
    assert findings(report, "startup_hook", "executable_pth") == [pth]
    assert findings(report, "indicator", "malicious_pth") == [pth]
    assert findings(report, "indicator", "compromised_release") == [
        str(env.site / "litellm-1.82.8.dist-info")
    ]


def test_edited_module_is_modified(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    core = env.site / "alpha" / "core.py"
    core.write_bytes(core.read_bytes().replace(b"42", b"43"))  # same size, other bytes
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert kinds(report) == {"record/modified"}
    assert findings(report, "record", "modified") == [str(core)]
    assert report["findings"][0]["distribution"] == "alpha 1.0"


def test_deleted_module_is_missing(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    (env.site / "beta.py").unlink()
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert findings(report, "record", "missing") == [str(env.site / "beta.py")]


def test_stray_executable_pth_is_orphan_and_hook(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = env.site / "zz_stray.pth"
    stray.write_text("import sys\n")
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert kinds(report) == {"orphan/orphan", "startup_hook/executable_pth"}
    assert findings(report, "orphan", "orphan") == [str(stray)]
    assert findings(report, "startup_hook", "executable_pth") == [str(stray)]


def test_stray_path_pth_is_an_orphan(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    stray = env.site / "extra_path.pth"
    stray.write_text(str(env.folder) + "\n")
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert kinds(report) == {"orphan/orphan"}
    assert findings(report, "orphan", "orphan") == [str(stray)]


def test_sitecustomize_in_site_packages(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    module = env.site / "sitecustomize.py"
    module.write_text("print('hello from every interpreter start')\n")
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert findings(report, "startup_hook", "customize_module") == [str(module)]
    assert findings(report, "orphan", "orphan") == [str(module)]


def test_usercustomize_behind_a_locked_path_pth(
    env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A RECORD-listed path .pth (like an editable install's) adds a folder to sys.path; a
    # customize module there runs at start-up too.
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "usercustomize.py").write_text("import os\n")
    env.install("delta", "1.0", {"delta.pth": f"{outside}\n".encode()}, lock=True)
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert kinds(report) == {"startup_hook/customize_module"}
    assert findings(report, "startup_hook", "customize_module") == [
        str(outside / "usercustomize.py")
    ]


def test_allow_hook_accepts_exactly_that_file(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    import hashlib

    hook = b"import os\n"
    env.install("gamma", "3.0", {"gamma.pth": hook}, lock=True)
    code, report = env.verify("--allow-hook", hashlib.sha256(hook).hexdigest(), capsys=capsys)
    assert code == 0, report["findings"]
    assert any(n["kind"] == "allowed_hook" for n in report["notes"])
    code, _ = env.verify("--allow-hook", hashlib.sha256(b"other").hexdigest(), capsys=capsys)
    assert code == 1


def test_installed_set_must_equal_the_lock(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    env.install("epsilon", "0.1", {"epsilon.py": b""}, lock=False)  # installed, not locked
    write_lock(env.lock, {"alpha": "1.1", "beta": "2.0", "epsilon-missing": "9"})
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert findings(report, "lock", "extra") == [str(env.site / "epsilon-0.1.dist-info")]
    assert findings(report, "lock", "version") == [str(env.site / "alpha-1.0.dist-info")]
    assert findings(report, "lock", "missing") == ["epsilon-missing"]


def test_lock_markers_are_evaluated(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    text = env.lock.read_text()
    text += "colorama==0.4.6 ; sys_platform == 'win32' \\\n    --hash=sha256:" + "0" * 64 + "\n"
    text += "nowhere==1.0 ; python_full_version < '3.0' \\\n    --hash=sha256:" + "1" * 64 + "\n"
    env.lock.write_text(text)
    code, report = env.verify(capsys=capsys)
    assert code == 0, report["findings"]


def test_persistence_files_in_home(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    unit = env.home / ".config" / "systemd" / "user" / "sysmon.service"
    unit.parent.mkdir(parents=True)
    unit.write_text("[Service]\nExecStart=/usr/bin/python3 %h/.config/sysmon/sysmon.py\n")
    script = env.home / ".config" / "sysmon" / "sysmon.py"
    script.parent.mkdir(parents=True)
    script.write_text("pass\n")
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert sorted(findings(report, "indicator", "persistence")) == sorted([str(unit), str(script)])


@pytest.mark.parametrize("alignment", [0, 1, 2])
def test_exfiltration_domain_in_a_recorded_file(
    env: Env, alignment: int, capsys: pytest.CaptureFixture[str]
) -> None:
    domain = ".".join(("models", "litellm", "cloud"))
    encoded = base64.b64encode(b"x" * alignment + f"https://{domain}/upload".encode())
    module = b"BLOB = '" + encoded + b"'\n"
    env.install("zeta", "1.0", {"zeta.py": module}, lock=True)
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert findings(report, "indicator", "exfiltration_domain") == [str(env.site / "zeta.py")]


def test_bytecode_caches(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    cache = env.site / "alpha" / "__pycache__"
    cache.mkdir()
    (cache / "core.cpython-311.pyc").write_bytes(b"cache of a claimed source")
    (cache / "core.cpython-311.opt-1.pyc").write_bytes(b"cache of a claimed source")
    code, report = env.verify(capsys=capsys)
    assert code == 0, report["findings"]
    sourceless = cache / "ghost.cpython-311.pyc"
    sourceless.write_bytes(b"no source beside it")
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert findings(report, "orphan", "orphan") == [str(sourceless)]


def test_wheel_installed_copy_matches_its_wheel(tmp_path: Path) -> None:
    """The fixture installer itself: what it writes is exactly the wheel's content."""
    site = tmp_path / "site"
    site.mkdir()
    install_wheel(build_wheel(tmp_path, "alpha", "1.0", ALPHA), site)
    assert (site / "alpha" / "core.py").read_bytes() == ALPHA["alpha/core.py"]
    assert "alpha-1.0.dist-info/INSTALLER" in (site / "alpha-1.0.dist-info" / "RECORD").read_text()


def test_the_cache_never_hides_a_change(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--cache` (what `lockgate serve` uses) skips unchanged files only: an edit that keeps
    the size and forges the mtime back is still re-read (its ctime moved)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, cold = env.verify("--cache", capsys=capsys)
    assert code == 0 and cold["files_hashed"] > 0 and cold["files_cached"] == 0
    (cache_file,) = (tmp_path / "cache" / "lockgate").glob("verify-*.json")
    written = cache_file.stat().st_mtime_ns
    code, warm = env.verify("--cache", capsys=capsys)
    assert code == 0 and warm["files_hashed"] == 0
    assert warm["files_cached"] == cold["files_hashed"]
    assert cache_file.stat().st_mtime_ns == written  # nothing new: the cache is not rewritten
    core = env.site / "alpha" / "core.py"
    before = core.stat()
    core.write_bytes(core.read_bytes().replace(b"42", b"43"))
    os.utime(core, ns=(before.st_atime_ns, before.st_mtime_ns))
    code, report = env.verify("--cache", capsys=capsys)
    assert code == 1 and findings(report, "record", "modified") == [str(core)]
    # The changed file is dropped from the cache, which is written again without it.
    assert str(core) not in cache_file.read_text() and str(env.site) in cache_file.read_text()


def test_an_unhashed_entry_is_reported(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    """RECORD may omit the hash of `__pycache__` caches only: a sourceless `module.pyc`
    listed without a hash is importable code nobody vouches for."""
    record = env.site / "beta-2.0.dist-info" / "RECORD"
    (env.site / "beta_cache.pyc").write_bytes(b"\x00" * 16)
    cache = env.site / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "beta.cpython-311.pyc").write_bytes(b"\x00" * 16)
    record.write_text(record.read_text() + "beta_cache.pyc,,\n__pycache__/beta.cpython-311.pyc,,\n")
    code, report = env.verify(capsys=capsys)
    assert code == 1
    assert kinds(report) == {"record/unhashed"}
    assert findings(report, "record", "unhashed") == [str(env.site / "beta_cache.pyc")]
