"""The verifier executes no startup hook and imports nothing but the standard library; the
project's own development environment passes; `lockgate serve` refuses a failing one."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest

from lockgate.cli.main import main
from lockgate.security import integrity
from lockgate.security.integrity import IsolatedScan, Report, run_isolated
from lockgate.security.integrity.isolation import BOOTSTRAP, package_root
from lockgate.security.integrity.report import Finding
from tests.security.wheel_fixtures import FixtureVenv, write_lock

ROOT = Path(__file__).resolve().parents[2]


def test_scanner_is_started_isolated_with_an_argv_list() -> None:
    argv = IsolatedScan(python="/x/python", lock_sets=((Path("/a.txt"), Path("/b.txt")),)).argv()
    assert argv[:5] == ["/x/python", "-S", "-I", "-B", "-c"]
    assert argv[6] == str(package_root())
    assert argv[7:] == ["--lock-set", "/a.txt:/b.txt"]


def test_scanner_runs_no_startup_hook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    venv = FixtureVenv.create(tmp_path / "venv")
    marker = tmp_path / "hook-ran"
    hook = venv.site_packages / "hook.pth"
    hook.write_text(f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')\n")
    (venv.site_packages / "sitecustomize.py").write_text(
        f"import pathlib; pathlib.Path({str(marker)!r} + '-site').write_text('ran')\n"
    )
    code = main(
        ["verify", "--python", str(venv.python), "--lock", str(write_lock(tmp_path / "l", {}))]
    )
    out = capsys.readouterr().out
    assert code == 1 and str(hook) in out
    assert not marker.exists() and not Path(str(marker) + "-site").exists()
    # Control: the same interpreter started normally does run both hooks.
    subprocess.run([str(venv.python), "-c", "pass"], check=True, timeout=30)
    assert marker.read_text() == "ran" and Path(str(marker) + "-site").read_text() == "ran"


PROBE = BOOTSTRAP.replace(
    "sys.exit(main(sys.argv[2:]))",
    """\
import io, json, contextlib, sysconfig
events = []
sys.addaudithook(lambda e, a: events.append(e) if e.startswith(("socket.", "subprocess.", "os.system", "os.exec", "os.spawn")) else None)
with contextlib.redirect_stdout(io.StringIO()):
    main(sys.argv[2:])
stdlib = tuple(sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib"))
outside = sorted(
    name for name, module in sys.modules.items()
    if getattr(module, "__file__", None)
    and not module.__file__.startswith(stdlib)
    and not module.__file__.startswith(root + "/lockgate/security/integrity/")
)
print(json.dumps({"outside": outside, "events": events, "flags": [sys.flags.no_site, sys.flags.isolated]}))
""",
)


def test_scanner_imports_only_the_standard_library(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-S",
            "-I",
            "-B",
            "-c",
            PROBE,
            str(package_root()),
            "--site-packages",
            str(site),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outside"] == []
    assert result["events"] == []
    assert result["flags"] == [1, 1]
    assert "lockgate" not in sysconfig.get_paths()["stdlib"]


def test_project_dev_environment_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """`scripts/setup --dev` then `lockgate verify --lock requirements/dev.txt`: exit 0."""
    code = main(["verify", "--lock", str(ROOT / "requirements" / "dev.txt"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == []
    assert code == 0
    notes = {(n["kind"], Path(n["path"]).name) for n in report["notes"]}
    assert (
        "editable",
        "lockgate-0.1.0.dist-info",
    ) in notes  # the .pth is in RECORD; src/ is outside


def test_a_scanner_that_cannot_run_is_a_failure(tmp_path: Path) -> None:
    report = run_isolated(IsolatedScan(python=str(tmp_path / "no-such-python")))
    assert not report.ok
    assert report.findings[0].check == "scan" and report.findings[0].kind == "failed"


FAILING = Report(findings=(Finding("record", "modified", "/site/x.py", "sha256 differs"),))


class FailingScan:
    """Stands in for the isolated scan; notes what the gateway had done when it was asked."""

    asked: list[dict[str, bool]] = []

    def __init__(self, scan: IsolatedScan) -> None:
        self.scan = scan
        self.port = 0
        self.data_dir = Path()

    def report(self) -> Report:
        with socket.socket() as probe:
            listening = probe.connect_ex(("127.0.0.1", self.port)) == 0
        store_read = (self.data_dir / "lockgate.db").exists()
        FailingScan.asked.append({"listening": listening, "store_read": store_read})
        return FAILING

    def close(self) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_refuses_an_unverified_environment_before_binding_its_port(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The real server: it loads (store read) while the check runs, asks for the verdict just
    before binding its port, and on a failing verdict never binds it and exits 1. The master
    key it created for this start is not left behind (it was never shown)."""
    port = _free_port()

    def failing(scan: IsolatedScan) -> FailingScan:
        running = FailingScan(scan)
        running.port, running.data_dir = port, tmp_path
        return running

    FailingScan.asked.clear()
    monkeypatch.setattr(integrity, "RunningScan", failing)
    config = tmp_path / "config.yaml"
    config.write_text(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/m\n"
        "      api_key: sk-x\n"
    )
    argv = ["serve", "--config", str(config), "--port", str(port), "--data-dir", str(tmp_path)]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert "FAIL record/modified: /site/x.py" in err and "refusing to serve" in err
    assert FailingScan.asked == [{"listening": False, "store_read": True}]
    assert "lockgate gateway on" not in out  # no banner, no key shown
    assert not (tmp_path / "master_key").exists()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_allow_unverified_serves_anyway(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from lockgate.gateway import server

    monkeypatch.setattr(integrity, "RunningScan", FailingScan)
    verdicts: list[bool] = []

    def run_server(launch: object, options: object, gate: Callable[[], bool]) -> int:
        verdicts.append(gate())
        return 0

    monkeypatch.setattr(server, "run_server", run_server)
    config = tmp_path / "config.yaml"
    config.write_text(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/m\n"
        "      api_key: sk-x\ngeneral_settings:\n  master_key: sk-verify-test\n"
    )
    assert main(["serve", "--config", str(config), "--allow-unverified"]) == 0
    out, err = capsys.readouterr()
    assert "serving anyway" in err and "lockgate gateway on" in out
    assert verdicts == [True]


def test_serve_verifies_before_serving(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The real check, on this (development) environment: it passes, and says so."""
    from lockgate.gateway import server

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # serve's hash cache

    verdicts: list[bool] = []

    def run_server(launch: object, options: object, gate: Callable[[], bool]) -> int:
        verdicts.append(gate())
        return 0

    monkeypatch.setattr(server, "run_server", run_server)
    config = tmp_path / "config.yaml"
    config.write_text(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/m\n"
        "      api_key: sk-x\ngeneral_settings:\n  master_key: sk-verify-test\n"
    )
    assert main(["serve", "--config", str(config)]) == 0
    assert "lockgate: environment verified" in capsys.readouterr().err
    assert verdicts == [True]
